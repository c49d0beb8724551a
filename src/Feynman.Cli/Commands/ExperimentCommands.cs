using System.CommandLine;
using System.Globalization;
using Feynman.Experiments;
using Feynman.Training;
using Feynman.Training.Recipes;
using Spectre.Console;

namespace Feynman.Cli.Commands;

/// <summary><c>feynman run|train|distill RECIPE</c> and <c>feynman quickstart</c>: run a recipe end to end.</summary>
internal static class ExperimentCommands
{
    public static IEnumerable<Command> Build()
    {
        yield return Recipe("run", "Run a recipe (any paradigm): train its models, evaluate, record the run, write results.json and report.html.", null);
        yield return Recipe("train", "Train a supervised recipe's model from labels.", "supervised");
        yield return Recipe("distill", "Run a distillation recipe: teachers, then the student from labels and from the teachers.", "distillation");
        yield return Quickstart();
    }

    private sealed record Shared(Option<string?> Out, Option<bool> Resume, Option<int?> Epochs, Option<ulong?> Seed, Option<string?> Seeds, Option<int?> Limit, Option<string> Db, Option<string?> DataDir)
    {
        public void AddTo(Command c)
        {
            foreach (var o in new Option[] { Out, Resume, Epochs, Seed, Seeds, Limit, Db, DataDir }) c.Options.Add(o);
        }
    }

    private static Shared SharedOptions() => new(
        new Option<string?>("--out") { Description = "Output folder (default: runs/<recipe name>)." },
        new Option<bool>("--resume") { Description = "Continue from the checkpoints in the output folder." },
        new Option<int?>("--epochs") { Description = "Override every model's epochs (quick trials)." },
        new Option<ulong?>("--seed") { Description = "Override the recipe's seed." },
        new Option<string?>("--seeds") { Description = "Run the recipe once per seed (e.g. 1,2,3) into OUT/seed-N and write OUT/summary.json and summary.md (mean ± std); seeds already finished are reused." },
        new Option<int?>("--limit") { Description = "Train on only this many samples (quick trials)." },
        CommonOptions.Database(),
        CommonOptions.DataDir());

    private static Command Recipe(string name, string description, string? paradigm)
    {
        var recipe = new Argument<string>("recipe") { Description = "Recipe YAML file (see docs/recipes.md)." };
        var shared = SharedOptions();
        var command = new Command(name, description);
        command.Arguments.Add(recipe);
        shared.AddTo(command);
        command.SetAction(parse => Execute(parse, shared, parse.GetValue(recipe)!, paradigm));
        return command;
    }

    private static Command Quickstart()
    {
        var shared = SharedOptions();
        var command = new Command("quickstart", "Train a CNN teacher and distill it into a small MLP student on Fashion-MNIST (recipes/quickstart.yaml).");
        shared.AddTo(command);
        command.SetAction(parse => Execute(parse, shared, Path.Combine(RepositoryRoot(), "recipes", "quickstart.yaml"), null));
        return command;
    }

    /// <summary>The checkout the command runs from ($FEYNMAN_HOME, set by ./feynman; else found from the binary).</summary>
    internal static string RepositoryRoot()
    {
        if (Environment.GetEnvironmentVariable("FEYNMAN_HOME") is { Length: > 0 } home) return home;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "recipes", "quickstart.yaml"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }

    private static int Execute(ParseResult parse, Shared o, string recipePath, string? paradigm)
    {
        Recipe recipe;
        try
        {
            ParadigmRecipes.Register();
            recipe = RecipeParser.Load(recipePath);
        }
        catch (Exception ex) when (ex is RecipeException or FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
            return 2;
        }
        if (paradigm != null && recipe.Paradigm != paradigm)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(recipePath)} is a {recipe.Paradigm} recipe; use 'feynman run' (or 'feynman {(recipe.Paradigm == "distillation" ? "distill" : "train")}').[/]");
            return 2;
        }
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (cts.IsCancellationRequested) return; // a second Ctrl-C ends the process
            e.Cancel = true;
            cts.Cancel();
            AnsiConsole.MarkupLine("[yellow]Stopping after this batch and saving a checkpoint (Ctrl-C again to quit now)...[/]");
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var outDir = parse.GetValue(o.Out) ?? Path.Combine("runs", recipe.Name);
            if (parse.GetValue(o.Seeds) is { } seedList)
                return RunSeeds(parse, o, recipe, recipePath, outDir, ParseSeeds(seedList), cts.Token);
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(recipe.Name)}[/] ({recipe.Paradigm}) -> {Markup.Escape(Path.GetFullPath(outDir))}");
            var result = RunOnce(parse, o, recipe, outDir, parse.GetValue(o.Seed), cts.Token);
            PrintTable(result);
            if (result.Interrupted)
            {
                AnsiConsole.MarkupLine($"[yellow]Interrupted. Continue with: feynman {parse.CommandResult.Command.Name} {Markup.Escape(recipePath)} --out {Markup.Escape(outDir)} --resume[/]");
                return 130;
            }
            AnsiConsole.MarkupLine($"report: {Markup.Escape(Path.GetFullPath(Path.Combine(outDir, "report.html")))}");
            return 0;
        }
        catch (Exception ex) when (ex is TrainingDivergedException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException or NotSupportedException)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static ExperimentResult RunOnce(ParseResult parse, Shared o, Recipe recipe, string outDir, ulong? seed, CancellationToken ct) =>
        TrainingProgressView.Run(progress =>
        {
            var settings = new ExperimentSettings
            {
                OutputDirectory = outDir,
                DatabasePath = parse.GetValue(o.Db),
                DataDirectory = parse.GetValue(o.DataDir),
                Resume = parse.GetValue(o.Resume),
                Epochs = parse.GetValue(o.Epochs),
                Seed = seed,
                TrainLimit = parse.GetValue(o.Limit),
                Progress = progress,
                Log = m => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m)}[/]"),
            };
            return new ExperimentRunner(settings).Run(recipe, ct);
        });

    /// <summary>The recipe once per seed, each into OUT/seed-N; a seed whose results.json is complete is reused.</summary>
    private static int RunSeeds(ParseResult parse, Shared o, Recipe recipe, string recipePath, string outDir, IReadOnlyList<ulong> seeds, CancellationToken ct)
    {
        var results = new List<ExperimentResult>();
        foreach (var seed in seeds)
        {
            var seedDir = Path.Combine(outDir, $"seed-{seed}");
            var done = Path.Combine(seedDir, "results.json");
            if (File.Exists(done) && ExperimentResult.Load(done) is { Interrupted: false } previous)
            {
                AnsiConsole.MarkupLine($"[grey]seed {seed}: finished earlier, reusing {Markup.Escape(done)}[/]");
                results.Add(previous);
                continue;
            }
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(recipe.Name)}[/] ({recipe.Paradigm}), seed {seed} -> {Markup.Escape(Path.GetFullPath(seedDir))}");
            var result = RunOnce(parse, o, recipe, seedDir, seed, ct);
            PrintTable(result);
            if (result.Interrupted)
            {
                AnsiConsole.MarkupLine($"[yellow]Interrupted. Continue with: feynman {parse.CommandResult.Command.Name} {Markup.Escape(recipePath)} --out {Markup.Escape(outDir)} --seeds {string.Join(',', seeds)} --resume[/]");
                return 130;
            }
            results.Add(result);
        }
        var summary = SeedSummary.Build(results);
        summary.Save(Path.Combine(outDir, "summary.json"));
        var markdown = summary.ToMarkdown();
        File.WriteAllText(Path.Combine(outDir, "summary.md"), markdown);
        AnsiConsole.WriteLine();
        AnsiConsole.WriteLine(markdown);
        AnsiConsole.MarkupLine($"summary: {Markup.Escape(Path.GetFullPath(Path.Combine(outDir, "summary.md")))}");
        return 0;
    }

    internal static IReadOnlyList<ulong> ParseSeeds(string text)
    {
        var seeds = new List<ulong>();
        foreach (var part in text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!ulong.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var seed))
                throw new InvalidDataException($"--seeds: '{part}' is not a non-negative integer (give e.g. --seeds 1,2,3).");
            if (!seeds.Contains(seed)) seeds.Add(seed);
        }
        if (seeds.Count == 0) throw new InvalidDataException("--seeds: no seeds given (e.g. --seeds 1,2,3).");
        return seeds;
    }

    internal static void PrintTable(ExperimentResult result)
    {
        var table = new Table().AddColumns("model", "role", "test accuracy", "parameters", "µs/sample", "training");
        foreach (var m in result.Models)
        {
            table.AddRow(Markup.Escape(m.Name), Markup.Escape(m.Role), m.TestAccuracy.ToString("P2", CultureInfo.InvariantCulture),
                m.Parameters.ToString("N0", CultureInfo.InvariantCulture), m.MicrosecondsPerSample.ToString("F1", CultureInfo.InvariantCulture),
                TimeSpan.FromSeconds(m.TrainingSeconds).ToString(@"m\:ss", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
        foreach (var n in result.Notes) AnsiConsole.MarkupLine(Markup.Escape(n));
    }
}

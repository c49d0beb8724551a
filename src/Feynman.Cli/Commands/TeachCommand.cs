using System.CommandLine;
using System.Globalization;
using Feynman.Experiments;
using Feynman.Synthesis.Teachers;
using Feynman.Text.Labelling;
using Feynman.Text.Teaching;
using Feynman.Training.Recipes;
using Spectre.Console;

namespace Feynman.Cli.Commands;

/// <summary><c>feynman teach RECIPE</c>: the closed teaching loop (docs/text-teaching.md).</summary>
internal static class TeachCommand
{
    public static Command Build()
    {
        var recipe = new Argument<string>("recipe") { Description = "Recipe YAML file with a 'teach' section (see docs/text-teaching.md)." };
        var outDir = new Option<string?>("--out") { Description = "Output folder: state.json, teacher-cache.db, results.json, report.html (default: runs/<recipe name>)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in the output folder at the round it was in." };
        var url = new Option<string?>("--teacher-url") { Description = "OpenAI-compatible base URL of an LLM teacher, e.g. http://127.0.0.1:8000/v1 (default: the local teacher)." };
        var model = new Option<string?>("--teacher-model") { Description = "The LLM teacher's model name (with --teacher-url)." };
        var keyEnv = new Option<string?>("--api-key-env") { Description = "Environment variable holding the API key.", DefaultValueFactory = _ => "OPENAI_API_KEY" };
        var priceIn = new Option<double>("--price-in") { Description = "Dollars per million prompt tokens (for the budget).", DefaultValueFactory = _ => 0 };
        var priceOut = new Option<double>("--price-out") { Description = "Dollars per million completion tokens.", DefaultValueFactory = _ => 0 };
        var seed = new Option<ulong?>("--seed") { Description = "Override the recipe's seed." };
        var db = CommonOptions.Database();
        var command = new Command("teach", "Learning by teaching: a teacher labels data, the student trains, its failures steer the teacher's next examples; repeat.");
        command.Arguments.Add(recipe);
        foreach (var o in new Option[] { outDir, resume, url, model, keyEnv, priceIn, priceOut, seed, db }) command.Options.Add(o);
        command.SetAction(async (parse, ct) =>
        {
            string path = parse.GetValue(recipe)!;
            Recipe r;
            try
            {
                TeachRecipes.Register();
                r = RecipeParser.Load(path);
            }
            catch (Exception ex) when (ex is RecipeException or FileNotFoundException or DirectoryNotFoundException or IOException)
            {
                AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
                return 2;
            }
            if (r.Paradigm != TeachSpec.ParadigmName)
            {
                AnsiConsole.MarkupLine($"[red]{Markup.Escape(path)} is a {r.Paradigm} recipe; 'feynman teach' runs 'paradigm: teach' recipes (use 'feynman run' for this one).[/]");
                return 2;
            }
            TeacherEndpoint? endpoint = null;
            string? u = parse.GetValue(url), m = parse.GetValue(model);
            if (u != null || m != null)
            {
                if (u == null || m == null)
                {
                    AnsiConsole.MarkupLine("[red]--teacher-url and --teacher-model go together: give both to use an LLM teacher, or neither for the local one.[/]");
                    return 2;
                }
                if (!Uri.TryCreate(u.EndsWith('/') ? u : u + "/", UriKind.Absolute, out var uri))
                {
                    AnsiConsole.MarkupLine($"[red]--teacher-url '{Markup.Escape(u)}' is not an absolute URL.[/]");
                    return 2;
                }
                var spec = r.Section<TeachSpec>(TeachSpec.SectionKey)!;
                endpoint = new TeacherEndpoint
                {
                    BaseUrl = uri, Model = m, ApiKeyVariable = parse.GetValue(keyEnv),
                    InputPricePerMillion = parse.GetValue(priceIn), OutputPricePerMillion = parse.GetValue(priceOut),
                    MaxConcurrency = spec.Endpoint?.MaxConcurrency ?? 8,
                };
            }
            var outPath = parse.GetValue(outDir) ?? Path.Combine("runs", r.Name);
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(r.Name)}[/] (teach) -> {Markup.Escape(Path.GetFullPath(outPath))}");
            var settings = new ExperimentSettings
            {
                OutputDirectory = outPath, DatabasePath = parse.GetValue(db), Resume = parse.GetValue(resume), Seed = parse.GetValue(seed),
                Log = msg => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(msg)}[/]"),
            };
            try
            {
                var experiment = new TeachExperiment(settings, endpoint);
                var result = await experiment.RunAsync(r, ct);
                PrintRounds(experiment.Outcome!.State);
                ExperimentCommands.PrintTable(result);
                if (result.Interrupted)
                {
                    AnsiConsole.MarkupLine($"[yellow]Interrupted. Continue with: feynman teach {Markup.Escape(path)} --out {Markup.Escape(outPath)} --resume[/]");
                    return 130;
                }
                AnsiConsole.MarkupLine($"report: {Markup.Escape(Path.GetFullPath(Path.Combine(outPath, "report.html")))}");
                return 0;
            }
            catch (Exception ex) when (ex is InvalidDataException or FileNotFoundException or IOException or ArgumentException or TeacherLabellingException or TeacherRequestException)
            {
                AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
                return 1;
            }
        });
        return command;
    }

    private static void PrintRounds(TeachingState state)
    {
        var table = new Table().AddColumns("round", "examples", "dev accuracy", "proposed", "kept", "rejected", "teacher tokens", "cost");
        foreach (var r in state.Rounds)
            table.AddRow(r.Round.ToString(CultureInfo.InvariantCulture), r.TrainExamples.ToString(CultureInfo.InvariantCulture), r.DevAccuracy.ToString("P2", CultureInfo.InvariantCulture),
                r.Proposed.ToString(CultureInfo.InvariantCulture), r.Kept.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(string.Join(", ", r.Rejected.Select(kv => $"{kv.Value} {kv.Key}"))),
                r.TeacherTokens.ToString("N0", CultureInfo.InvariantCulture), r.TeacherCost.ToString("F4", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        if (state.StopReason is { } why) AnsiConsole.MarkupLine($"stopped: {Markup.Escape(why)}");
    }
}

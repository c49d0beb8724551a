using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Feynman.Data;
using Feynman.Experiments;
using Feynman.Tensors;
using Feynman.Training;
using Feynman.Training.Recipes;
using Spectre.Console;

namespace Feynman.Cli.Commands;

/// <summary><c>feynman labels check --recipe R.yaml | --model M.yaml --data SOURCE</c>: suspected label errors by confident learning.</summary>
internal static class LabelsCommand
{
    public static Command Build()
    {
        var labels = new Command("labels", "Label quality: find suspected label errors.");
        labels.Subcommands.Add(BuildCheck());
        labels.Subcommands.Add(AnnotatorsCommand.BuildExport());
        return labels;
    }

    private static Command BuildCheck()
    {
        var recipe = new Option<string?>("--recipe") { Description = "Recipe whose model (or student) and training are used." };
        var model = new Option<string?>("--model") { Description = "Model YAML (input and layers), trained with default settings." };
        var data = new Option<string?>("--data") { Description = "Labelled data source to check (default: the recipe's training source, else fashion-mnist:train)." };
        var folds = new Option<int>("--folds") { Description = "Cross-validation folds.", DefaultValueFactory = _ => 5 };
        var epochs = new Option<int?>("--epochs") { Description = "Override the epochs of each fold's model." };
        var limit = new Option<int?>("--limit") { Description = "Check only this many samples (a seeded random subset)." };
        var seed = new Option<ulong>("--seed") { Description = "Seed for folds, models and flips.", DefaultValueFactory = _ => 1 };
        var noise = new Option<double>("--noise") { Description = "Flip this share of labels first (class-conditional) and score the flags against the flips.", DefaultValueFactory = _ => 0 };
        var top = new Option<int>("--top") { Description = "List this many suspected errors (largest margin first).", DefaultValueFactory = _ => 20 };
        var output = new Option<string?>("--out") { Description = "Write every suspected error to this JSON-lines file." };
        var dataDir = CommonOptions.DataDir();
        var command = new Command("check", "Out-of-fold predictions and confident learning (cleanlab's prune_by_noise_rate): list suspected label errors with their evidence.");
        foreach (var o in new Option[] { recipe, model, data, folds, epochs, limit, seed, noise, top, output, dataDir }) command.Options.Add(o);
        command.SetAction((parse, ct) => Task.FromResult(Check(parse, ct)));
        int Check(ParseResult parse, CancellationToken ct)
        {
            try
            {
                ModelSpec spec;
                TrainingSpec training;
                string source;
                if (parse.GetValue(recipe) is { } r)
                {
                    var rec = RecipeParser.Load(r);
                    var section = rec.Model ?? rec.Student ?? throw new InvalidDataException($"{r}: the recipe has no 'model' or 'student' section to check labels with.");
                    (spec, training, source) = (section.Model, section.Training, parse.GetValue(data) ?? rec.Data.Train);
                }
                else if (parse.GetValue(model) is { } m)
                    (spec, training, source) = (RecipeParser.LoadModel(m), TrainingSpec.Defaults, parse.GetValue(data) ?? "fashion-mnist:train");
                else throw new ArgumentException("give --recipe or --model.");
                ulong s = parse.GetValue(seed);
                IDataset dataset = DataSources.Open(source, parse.GetValue(dataDir));
                if (parse.GetValue(limit) is int n && n < dataset.Count)
                    dataset = new Subset(dataset, new Generator(s).Permutation(dataset.Count)[..n], $"{dataset.Name}[:{n}]");
                double flip = parse.GetValue(noise);
                if (flip is < 0 or >= 1) throw new ArgumentException($"--noise must be in [0, 1), got {flip}.");
                var options = RecipeTraining.Options(training, s, parse.GetValue(epochs));
                var result = LabelCheck.Run(spec, options, dataset, parse.GetValue(folds), s, flip, msg => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(msg)}[/]"), null, ct);
                Print(result, parse.GetValue(top));
                if (parse.GetValue(output) is { } path) Write(result, path);
                return 0;
            }
            catch (Exception ex) when (ex is RecipeException or IOException or InvalidDataException or ArgumentException or KeyNotFoundException or OperationCanceledException)
            {
                AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
                return 1;
            }
        }
        return command;
    }

    private static string Pct(double v) => (v * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";

    private static void Print(LabelCheckResult r, int top)
    {
        var rep = r.Report;
        Console.WriteLine($"samples: {r.Samples}");
        Console.WriteLine($"estimated noise rate: {Pct(rep.EstimatedNoiseRate)}");
        Console.WriteLine($"suspected errors: {rep.Issues.Count}");
        if (r.Flipped is int f) Console.WriteLine($"flipped: {f}, precision {Pct(r.Precision ?? 0)}, recall {Pct(r.Recall ?? 0)}");
        var table = new Table().AddColumns("sample", "given label", "suggested label", "p(suggested)", "p(given)");
        foreach (var i in rep.Issues.Take(top))
            table.AddRow(i.Index.ToString(CultureInfo.InvariantCulture), Markup.Escape(r.ClassNames[i.GivenLabel]), Markup.Escape(r.ClassNames[i.SuggestedLabel]),
                         i.SuggestedProbability.ToString("F3", CultureInfo.InvariantCulture), i.GivenProbability.ToString("F3", CultureInfo.InvariantCulture));
        if (rep.Issues.Count > 0) AnsiConsole.Write(table);
    }

    private static void Write(LabelCheckResult r, string path)
    {
        using var w = new StreamWriter(path);
        foreach (var i in r.Report.Issues)
            w.WriteLine(JsonSerializer.Serialize(new
            {
                sample = i.Index, given = i.GivenLabel, given_name = r.ClassNames[i.GivenLabel], suggested = i.SuggestedLabel,
                suggested_name = r.ClassNames[i.SuggestedLabel], p_suggested = i.SuggestedProbability, p_given = i.GivenProbability,
            }));
    }
}

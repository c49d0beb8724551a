using System.CommandLine;
using Feynman.Tracking;
using Spectre.Console;

namespace Feynman.Cli.Commands;

/// <summary><c>feynman annotators add NAME</c>: a person who may label; prints their bearer token once.</summary>
internal static class AnnotatorsCommand
{
    public static Option<string> LabelsDb() => new("--labels-db")
    {
        Description = "Label database (default: $FEYNMAN_LABELS_DB or runs/labels.db).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FEYNMAN_LABELS_DB") ?? "runs/labels.db",
    };

    public static Command Build()
    {
        var annotators = new Command("annotators", "People who label (tokens for the annotation app).");
        var name = new Argument<string>("name") { Description = "The annotator's name." };
        var db = LabelsDb();
        var add = new Command("add", "Add an annotator and print their bearer token (shown once).");
        add.Arguments.Add(name);
        add.Options.Add(db);
        add.SetAction(parse =>
        {
            try
            {
                using var store = LabelStore.Open(parse.GetValue(db)!);
                Console.WriteLine(store.AddAnnotator(parse.GetValue(name)!));
                return 0;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException)
            {
                AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
                return 1;
            }
        });
        annotators.Subcommands.Add(add);
        return annotators;
    }

    /// <summary><c>feynman labels export --out FILE.jsonl</c>.</summary>
    public static Command BuildExport()
    {
        var output = new Option<string>("--out") { Description = "JSON-lines file to write (item, label, annotator, at).", Required = true };
        var retracted = new Option<bool>("--include-retracted") { Description = "Also write labels undone in the annotation app (with their retracted_at)." };
        var db = LabelsDb();
        var export = new Command("export", "Write every stored label, from every annotator.");
        export.Options.Add(output);
        export.Options.Add(retracted);
        export.Options.Add(db);
        export.SetAction(parse =>
        {
            try
            {
                using var store = LabelStore.Open(parse.GetValue(db)!);
                int n = store.Export(parse.GetValue(output)!, parse.GetValue(retracted));
                Console.WriteLine($"{n} labels written to {parse.GetValue(output)}");
                return 0;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
                return 1;
            }
        });
        return export;
    }
}

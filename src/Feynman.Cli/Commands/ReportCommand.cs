using System.CommandLine;
using Feynman.Experiments;
using Feynman.Tracking;
using Feynman.Tracking.Reports;
using Spectre.Console;

namespace Feynman.Cli.Commands;

/// <summary><c>feynman report RUN</c>: writes a run's HTML report again from its results.json.</summary>
internal static class ReportCommand
{
    public static Command Build()
    {
        var runArg = new Argument<string>("run") { Description = "A run id, an output folder, or a results.json file." };
        var output = new Option<string?>("--out") { Description = "Where to write the HTML (default: report.html beside results.json)." };
        var db = CommonOptions.Database();
        var command = new Command("report", "Write the HTML report of a run.");
        command.Arguments.Add(runArg);
        command.Options.Add(output);
        command.Options.Add(db);
        command.SetAction(parse =>
        {
            try
            {
                var results = ResultsPath(parse.GetValue(runArg)!, parse.GetValue(db)!);
                var result = ExperimentResult.Load(results);
                var html = parse.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(results)!, "report.html");
                HtmlReport.Write(ReportBuilder.Build(result), html);
                Console.WriteLine(Path.GetFullPath(html));
                return 0;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or KeyNotFoundException)
            {
                AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
                return 1;
            }
        });
        return command;
    }

    private static string ResultsPath(string run, string db)
    {
        if (File.Exists(run)) return run;
        if (Directory.Exists(run)) return Path.Combine(run, "results.json");
        if (!long.TryParse(run, out long id)) throw new FileNotFoundException($"'{run}' is neither a run id, a folder nor a results file.");
        if (!File.Exists(db)) throw new FileNotFoundException($"no run database at {db}.");
        using var store = RunStore.Open(db);
        var details = store.GetRun(id);
        return details.Artifacts.LastOrDefault(a => a.Kind == "results")?.Path
               ?? throw new FileNotFoundException($"run {id} recorded no results.json (it may have failed before the end; see 'feynman runs show {id}').");
    }
}

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
        var dbOption = CommonOptions.Database();
        var command = new Command("report", "Write the HTML report of a run.");
        command.Arguments.Add(runArg);
        command.Options.Add(output);
        command.Options.Add(dbOption);
        command.SetAction(parse =>
        {
            try
            {
                var run = parse.GetValue(runArg)!;
                ReportModel report;
                string html;
                if (long.TryParse(run, out long id) && !File.Exists(run) && !Directory.Exists(run))
                {
                    // From the run database: the report the run saved, or one rebuilt from its metrics.
                    var db = parse.GetValue(dbOption)!;
                    if (!File.Exists(db)) throw new FileNotFoundException($"no run database at {db}.");
                    using var store = RunStore.Open(db);
                    report = ReportBuilder.FromRun(store, id);
                    html = parse.GetValue(output) ?? store.GetRun(id).Artifacts.LastOrDefault(a => a.Kind == "report")?.Path ?? $"report-{id}.html";
                }
                else
                {
                    var results = Directory.Exists(run) ? Path.Combine(run, "results.json") : run;
                    report = ExperimentReport.Build(ExperimentResult.Load(results));
                    html = parse.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(results))!, "report.html");
                }
                HtmlReport.Write(report, html);
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
}

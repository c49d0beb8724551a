using System.CommandLine;
using System.Globalization;
using Feynman.Tracking;
using Spectre.Console;

namespace Feynman.Cli.Commands;

/// <summary><c>feynman runs [list|show ID|compare ID ID...]</c>: what the run database holds.</summary>
internal static class RunsCommand
{
    public static Command Build()
    {
        var db = CommonOptions.Database();
        var limit = new Option<int?>("--limit") { Description = "Show only the newest N runs." };
        var command = new Command("runs", "List, show and compare recorded runs.");
        command.Options.Add(db);
        command.Options.Add(limit);
        command.SetAction(parse => List(parse.GetValue(db)!, parse.GetValue(limit)));

        var list = new Command("list", "List runs, newest first.");
        list.Options.Add(db);
        list.Options.Add(limit);
        list.SetAction(parse => List(parse.GetValue(db)!, parse.GetValue(limit)));
        command.Subcommands.Add(list);

        var id = new Argument<long>("id") { Description = "Run id (from 'feynman runs')." };
        var show = new Command("show", "Everything recorded about one run.");
        show.Options.Add(db);
        show.Arguments.Add(id);
        show.SetAction(parse => Show(parse.GetValue(db)!, parse.GetValue(id)));
        command.Subcommands.Add(show);

        var ids = new Argument<long[]>("ids") { Description = "Two or more run ids.", Arity = ArgumentArity.OneOrMore };
        var compare = new Command("compare", "Final metrics and differing parameters of runs side by side.");
        compare.Options.Add(db);
        compare.Arguments.Add(ids);
        compare.SetAction(parse => Compare(parse.GetValue(db)!, parse.GetValue(ids)!));
        command.Subcommands.Add(compare);
        return command;
    }

    private static RunStore? OpenExisting(string path)
    {
        if (File.Exists(path)) return RunStore.Open(path);
        AnsiConsole.MarkupLine($"[yellow]No run database at {Markup.Escape(path)}[/] (runs are recorded there by 'feynman run', 'train', 'distill' and 'quickstart').");
        return null;
    }

    private static int List(string path, int? limit)
    {
        using var store = OpenExisting(path);
        if (store is null) return 0;
        var table = new Table().AddColumns("id", "name", "status", "started", "duration", "seed", "commit");
        foreach (var r in store.ListRuns(limit))
        {
            table.AddRow(r.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(r.Name), Status(r.Status),
                r.StartedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                r.Duration is { } d ? Duration(d) : "", r.Seed?.ToString(CultureInfo.InvariantCulture) ?? "", r.GitCommit?[..Math.Min(8, r.GitCommit.Length)] ?? "");
        }
        AnsiConsole.Write(table);
        return 0;
    }

    private static int Show(string path, long id)
    {
        using var store = OpenExisting(path);
        if (store is null) return 1;
        RunDetails run;
        try { run = store.GetRun(id); }
        catch (KeyNotFoundException ex) { AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]"); return 1; }
        var s = run.Summary;
        AnsiConsole.MarkupLine($"[bold]run {s.Id}[/] {Markup.Escape(s.Name)}  {Status(s.Status)}  seed {s.Seed}  commit {Markup.Escape(s.GitCommit ?? "-")}");
        if (s.Error is { } err) AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(err)}");
        var finals = new Table().AddColumns("model", "metric", "value");
        foreach (var m in run.FinalMetrics) finals.AddRow(Markup.Escape(m.Model), Markup.Escape(m.Key), m.Value.ToString("G6", CultureInfo.InvariantCulture));
        AnsiConsole.Write(finals);
        foreach (var model in run.EpochMetrics.Select(m => m.Model).Distinct())
        {
            var keys = run.EpochMetrics.Where(m => m.Model == model).Select(m => m.Key).Distinct().ToList();
            var t = new Table().Title(Markup.Escape(model)).AddColumn("epoch");
            foreach (var k in keys) t.AddColumn(Markup.Escape(k));
            foreach (var g in run.EpochMetrics.Where(m => m.Model == model).GroupBy(m => m.Epoch).OrderBy(g => g.Key))
                t.AddRow([g.Key.ToString(CultureInfo.InvariantCulture), .. keys.Select(k => g.FirstOrDefault(m => m.Key == k)?.Value.ToString("G5", CultureInfo.InvariantCulture) ?? "")]);
            AnsiConsole.Write(t);
        }
        foreach (var a in run.Artifacts) AnsiConsole.MarkupLine($"{Markup.Escape(a.Kind)}: {Markup.Escape(a.Path)}");
        return 0;
    }

    private static int Compare(string path, long[] ids)
    {
        using var store = OpenExisting(path);
        if (store is null) return 1;
        RunComparison c;
        try { c = store.Compare(ids); }
        catch (KeyNotFoundException ex) { AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]"); return 1; }
        var t = new Table().AddColumns("model", "metric");
        foreach (var r in c.Runs) t.AddColumn($"run {r.Id}");
        foreach (var row in c.Metrics)
            t.AddRow([Markup.Escape(row.Model), Markup.Escape(row.Key), .. row.Values.Select(v => v?.ToString("G6", CultureInfo.InvariantCulture) ?? "-")]);
        AnsiConsole.Write(t);
        if (c.ParameterDifferences.Count > 0)
        {
            var p = new Table().AddColumn("parameter");
            foreach (var r in c.Runs) p.AddColumn($"run {r.Id}");
            foreach (var row in c.ParameterDifferences) p.AddRow([Markup.Escape(row.Path), .. row.Values.Select(v => Markup.Escape(v ?? "-"))]);
            AnsiConsole.Write(p);
        }
        return 0;
    }

    private static string Status(RunStatus s) => s switch
    {
        RunStatus.Finished => "[green]finished[/]",
        RunStatus.Running => "[blue]running[/]",
        RunStatus.Interrupted => "[yellow]interrupted[/]",
        _ => "[red]failed[/]",
    };

    private static string Duration(TimeSpan d) => d.TotalHours >= 1 ? d.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : d.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}

using System.CommandLine;
using Feynman.Synthesis.Statistics;
using Feynman.Synthesis.Storage;
using Spectre.Console;

namespace Feynman.Cli.Commands;

/// <summary><c>feynman synth stats</c>: counts, rejection reasons, length histogram and root verb / object diversity.</summary>
public static class SynthStatsCommand
{
    public static Command Build()
    {
        var input = new Option<string>("--in") { Description = "A store.jsonl (kept and rejected, with reasons) or any records with 'instruction' (JSONL or JSON array).", Required = true };
        var top = new Option<int>("--top") { Description = "Root verbs to show.", DefaultValueFactory = _ => 20 };
        var cmd = new Command("stats", "Statistics of generated instructions: counts, rejection reasons, lengths, most common root verbs and their objects.") { input, top };
        cmd.SetAction(parse =>
        {
            try
            {
                var s = new InstructionStatistics(JsonRecords.Read(parse.GetValue(input)!));
                AnsiConsole.MarkupLine($"instructions {s.Total}, kept {s.Kept} (unique {s.Unique}), rejected {s.Total - s.Kept}");
                if (s.Reasons.Count > 0)
                {
                    var reasons = new Table().AddColumns("rejection reason", "count");
                    foreach (var (r, c) in s.Reasons.OrderByDescending(kv => kv.Value)) reasons.AddRow(Markup.Escape(r), c.ToString("N0"));
                    AnsiConsole.Write(reasons);
                }
                var hist = new BarChart().Label("kept instruction length (words)");
                foreach (var (b, c) in s.LengthHistogram) hist.AddItem($"{b}-{b + s.BucketWidth - 1}", c, Color.Green);
                if (s.LengthHistogram.Count > 0) AnsiConsole.Write(hist);
                var verbs = new Table().AddColumns("root verb", "count", "most common objects");
                foreach (var (v, c, objs) in s.TopVerbs(parse.GetValue(top)))
                    verbs.AddRow(Markup.Escape(v), c.ToString("N0"), Markup.Escape(string.Join(", ", objs.Select(o => $"{o.Object} ({o.Count})"))));
                AnsiConsole.Write(verbs);
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                Console.Error.WriteLine($"synth stats: {e.Message}");
                return 2;
            }
        });
        return cmd;
    }
}

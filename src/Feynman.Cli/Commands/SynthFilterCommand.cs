using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Feynman.Synthesis.Filters;
using Feynman.Synthesis.Storage;
using Feynman.Synthesis.Text;

namespace Feynman.Cli.Commands;

/// <summary><c>feynman synth filter</c>: the ROUGE-L novelty filter alone, in input order.</summary>
public static class SynthFilterCommand
{
    public static Command Build()
    {
        var input = new Option<string>("--in") { Description = "Input records (JSONL or a JSON array) with an 'instruction' field.", Required = true };
        var output = new Option<string>("--out") { Description = "Kept records, JSONL, unchanged and in input order.", Required = true };
        var seeds = new Option<string?>("--seeds") { Description = "Seed tasks (JSONL with 'instruction'); every input is compared with them too." };
        var threshold = new Option<double>("--threshold") { Description = "Reject when ROUGE-L F against any earlier instruction is above this.", DefaultValueFactory = _ => 0.7 };
        var tokenizer = new Option<string>("--tokenizer") { Description = "reference (rouge_score, ASCII only) or unicode.", DefaultValueFactory = _ => "reference" };
        tokenizer.AcceptOnlyFromAmong("reference", "unicode");
        var rejected = new Option<string?>("--rejected") { Description = "Also write rejected records with the reason (JSONL)." };
        var field = new Option<string>("--field") { Description = "The field holding the instruction text.", DefaultValueFactory = _ => "instruction" };
        var cmd = new Command("filter", "Keep each record iff its ROUGE-L F-measure against every seed and every earlier kept instruction is at most the threshold.")
        {
            input, output, seeds, threshold, tokenizer, rejected, field,
        };
        cmd.SetAction(parse =>
        {
            try
            {
                var inPath = parse.GetValue(input)!;
                var fieldName = parse.GetValue(field)!;
                var records = JsonRecords.Read(inPath);
                var texts = JsonRecords.Field(records, fieldName, inPath);
                var mode = parse.GetValue(tokenizer) == "unicode" ? RougeTokenization.Unicode : RougeTokenization.Reference;
                var index = new NoveltyIndex(parse.GetValue(threshold), mode);
                int seedCount = 0;
                if (parse.GetValue(seeds) is { } seedPath)
                {
                    var seedRecords = JsonRecords.Read(seedPath);
                    foreach (var s in JsonRecords.Field(seedRecords, "instruction", seedPath)) index.Add(s);
                    seedCount = seedRecords.Count;
                }
                var sw = Stopwatch.StartNew();
                var decisions = index.FilterAndAdd(texts);
                sw.Stop();
                var kept = new List<JsonNode>();
                var rejects = new List<JsonNode>();
                for (int i = 0; i < records.Count; i++)
                {
                    if (decisions[i].Kept) { kept.Add(records[i]); continue; }
                    var r = (JsonObject)records[i].DeepClone();
                    r["rejection"] = new JsonObject
                    {
                        ["reason"] = "rouge_l",
                        ["rouge_l"] = decisions[i].MaxFMeasure,
                        ["most_similar"] = index[decisions[i].MostSimilar],
                    };
                    rejects.Add(r);
                }
                JsonRecords.WriteLines(parse.GetValue(output)!, kept);
                if (parse.GetValue(rejected) is { } rejPath) JsonRecords.WriteLines(rejPath, rejects);
                Console.WriteLine($"read {records.Count}, seeds {seedCount}, kept {kept.Count}, rejected {rejects.Count} (rouge_l > {parse.GetValue(threshold)}) in {sw.Elapsed.TotalSeconds:F2} s");
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"synth filter: {e.Message}");
                return 2;
            }
        });
        return cmd;
    }
}

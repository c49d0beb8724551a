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
        var method = new Option<string>("--method") { Description = "rouge (exact ROUGE-L novelty, the papers' filter) or minhash (near-duplicate Jaccard on word bigrams, for huge corpora).", DefaultValueFactory = _ => "rouge" };
        method.AcceptOnlyFromAmong("rouge", "minhash");
        var field = new Option<string>("--field") { Description = "The field holding the instruction text.", DefaultValueFactory = _ => "instruction" };
        var cmd = new Command("filter", "Keep each record iff its ROUGE-L F-measure against every seed and every earlier kept instruction is at most the threshold.")
        {
            input, output, seeds, threshold, tokenizer, rejected, field, method,
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
                var seedTexts = new List<string>();
                if (parse.GetValue(seeds) is { } seedPath)
                    seedTexts = JsonRecords.Field(JsonRecords.Read(seedPath), "instruction", seedPath);
                int seedCount = seedTexts.Count;
                var index = new NoveltyIndex(parse.GetValue(threshold), mode);
                var sw = Stopwatch.StartNew();
                NoveltyDecision[] decisions;
                if (parse.GetValue(method) == "minhash")
                {
                    // Seeds first, always kept; then the inputs in order.
                    var all = seedTexts.Concat(texts).ToList();
                    var dd = new MinHashDeduplicator(parse.GetValue(threshold), tokenization: mode).Deduplicate(all);
                    foreach (var s in all) index.Add(s); // only to name the matching text below
                    decisions = dd.Skip(seedCount).Select(d => new NoveltyDecision(d.Kept, d.DuplicateOf, d.EstimatedJaccard, 0)).ToArray();
                }
                else
                {
                    foreach (var s in seedTexts) index.Add(s);
                    decisions = index.FilterAndAdd(texts);
                }
                sw.Stop();
                var kept = new List<JsonNode>();
                var rejects = new List<JsonNode>();
                for (int i = 0; i < records.Count; i++)
                {
                    if (decisions[i].Kept) { kept.Add(records[i]); continue; }
                    var r = (JsonObject)records[i].DeepClone();
                    r["rejection"] = new JsonObject
                    {
                        ["reason"] = parse.GetValue(method) == "minhash" ? "minhash_jaccard" : "rouge_l",
                        [parse.GetValue(method) == "minhash" ? "jaccard" : "rouge_l"] = decisions[i].MaxFMeasure,
                        ["most_similar"] = index[decisions[i].MostSimilar],
                    };
                    rejects.Add(r);
                }
                JsonRecords.WriteLines(parse.GetValue(output)!, kept);
                if (parse.GetValue(rejected) is { } rejPath) JsonRecords.WriteLines(rejPath, rejects);
                Console.WriteLine($"read {records.Count}, seeds {seedCount}, kept {kept.Count}, rejected {rejects.Count} ({parse.GetValue(method)} > {parse.GetValue(threshold)}) in {sw.Elapsed.TotalSeconds:F2} s");
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

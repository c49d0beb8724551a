using System.CommandLine;
using System.Text.Json.Nodes;
using Feynman.Synthesis;
using Feynman.Synthesis.Filters;
using Feynman.Synthesis.Storage;
using Feynman.Synthesis.Teachers;
using Spectre.Console;

namespace Feynman.Cli.Commands;

/// <summary><c>feynman synth judge</c>: optional LLM-as-judge quality filter over instruction/input/output records.</summary>
public static class SynthJudgeCommand
{
    public static Command Build()
    {
        var input = new Option<string>("--in") { Description = "Records with instruction, input, output (alpaca_data.json or JSONL).", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder: judged.jsonl (kept, with the verdict), store.jsonl.", Required = true };
        var endpoint = new Option<string[]>("--endpoint") { Description = "OpenAI-compatible base URL (repeat for a pool).", Required = true };
        var model = new Option<string>("--model") { Description = "Judge model.", Required = true };
        var keyEnv = new Option<string?>("--api-key-env") { DefaultValueFactory = _ => "OPENAI_API_KEY", Description = "Environment variable holding the API key." };
        var minScore = new Option<int>("--min-score") { Description = "Keep examples scored at least this (1-5).", DefaultValueFactory = _ => 4 };
        var inFlight = new Option<int>("--in-flight") { DefaultValueFactory = _ => 32, Description = "Requests in flight at once." };
        var maxCost = new Option<double?>("--max-cost") { Description = "Stop before spending more dollars than this." };
        var priceIn = new Option<double>("--price-in") { DefaultValueFactory = _ => 0, Description = "Dollars per million prompt tokens." };
        var priceOut = new Option<double>("--price-out") { DefaultValueFactory = _ => 0, Description = "Dollars per million completion tokens." };
        var resume = new Option<bool>("--resume") { Description = "Continue the run stored in --out." };
        var templates = new Option<string?>("--templates") { Description = "Folder with an edited judge.txt." };
        var cmd = new Command("judge", "Rate instruction/input/output examples with an LLM judge (1-5 rubric) and keep those at or above --min-score.")
        {
            input, output, endpoint, model, keyEnv, minScore, inFlight, maxCost, priceIn, priceOut, resume, templates,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            try
            {
                var inPath = parse.GetValue(input)!;
                var records = JsonRecords.Read(inPath);
                var instructions = JsonRecords.Field(records, "instruction", inPath);
                var budget = new Budget(parse.GetValue(maxCost));
                var eps = parse.GetValue(endpoint)!.Select(u => new TeacherEndpoint
                {
                    BaseUrl = new Uri(u.EndsWith('/') ? u : u + "/"), Model = parse.GetValue(model)!, ApiKeyVariable = parse.GetValue(keyEnv),
                    InputPricePerMillion = parse.GetValue(priceIn), OutputPricePerMillion = parse.GetValue(priceOut),
                }).ToList();
                using var pool = new TeacherPool(eps, new TeacherPoolOptions { MaxInFlight = parse.GetValue(inFlight) }, budget);
                var dir = parse.GetValue(output)!;
                using var store = GenerationStore.Open(Path.Combine(dir, "store.jsonl"), parse.GetValue(resume));
                var session = new TeacherSession(pool, store, budget);
                var (t0, c0) = session.StoredUsage();
                budget.AddSpent(t0, c0);
                var judge = new LlmJudge(session, new PromptTemplates(parse.GetValue(templates)), parse.GetValue(minScore));
                var verdicts = await Task.WhenAll(records.Select(async (r, i) =>
                {
                    try
                    {
                        return await judge.JudgeAsync(i.ToString(), instructions[i], r["input"]?.GetValue<string>() ?? "", r["output"]?.GetValue<string>() ?? "", ct);
                    }
                    catch (BudgetExceededException) { return null; }
                }));
                var kept = new List<JsonNode>();
                for (int i = 0; i < records.Count; i++)
                {
                    if (verdicts[i] is not { } v) continue;
                    if (!store.HasMark($"verdict/{i}"))
                        store.Append(new JsonObject { ["type"] = "verdict", ["key"] = $"verdict/{i}", ["instruction"] = instructions[i], ["score"] = v.Score,
                            ["kept"] = v.Passed, ["reason"] = v.Passed ? null : $"judge_score_{v.Score}", ["teacher"] = v.Teacher });
                    if (!v.Passed) continue;
                    var r = (JsonObject)records[i].DeepClone();
                    r["judge_score"] = v.Score;
                    kept.Add(r);
                }
                JsonRecords.WriteLines(Path.Combine(dir, "judged.jsonl"), kept);
                SynthRunOptions.PrintUsage(pool, budget);
                int judged = verdicts.Count(v => v != null);
                Console.WriteLine($"judged {judged} of {records.Count}, kept {kept.Count} with score >= {parse.GetValue(minScore)}" +
                                  (judged < records.Count ? "; stopped by the budget cap, rerun with --resume" : ""));
                return 0;
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("interrupted; rerun with --resume.");
                return 130;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or TeacherRequestException or UriFormatException)
            {
                AnsiConsole.MarkupLine($"[red]synth judge:[/] {Markup.Escape(e.Message)}");
                return 2;
            }
        });
        return cmd;
    }
}

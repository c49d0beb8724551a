using System.Text.Json.Nodes;
using Feynman.Synthesis.Filters;
using Feynman.Synthesis.SelfInstruct;
using Feynman.Synthesis.Storage;
using Feynman.Synthesis.Teachers;

namespace Feynman.Synthesis.Alpaca;

/// <summary>
/// Alpaca (Taori et al. 2023) as in tatsu-lab/stanford_alpaca: each request shows 3 seed tasks and asks for 20 new
/// instruction/input/output triples; responses are parsed on "###", filtered by the heuristic rules and by ROUGE-L
/// against every seed and earlier kept instruction. Requests go out in rounds and are processed in request order, so
/// a resumed run reproduces the uninterrupted one.
/// </summary>
public sealed class AlpacaPipeline(TeacherSession session, IReadOnlyList<SeedTask> seeds, AlpacaOptions options)
{
    public AlpacaOptions Options { get; } = options;

    public IProgress<SynthesisProgress>? Progress { get; init; }

    public async Task<AlpacaResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var o = Options;
        if (session.Budget is { } b)
        {
            var (t, c) = session.StoredUsage();
            b.AddSpent(t, c);
        }
        var demos = seeds.Select(s => new AlpacaExample(s.Instruction, s.Instances.Count > 0 ? s.Instances[0].Input : "", s.Instances.Count > 0 ? s.Instances[0].Output : "")).ToList();
        if (demos.Count < o.NumPromptInstructions) throw new ArgumentException($"need at least {o.NumPromptInstructions} seed tasks, have {demos.Count}.");
        var index = new NoveltyIndex(o.RougeThreshold, o.Tokenization);
        foreach (var d in demos) index.Add(d.Instruction);
        string header = o.Templates.Get("alpaca_prompt.txt");
        var kept = new List<AlpacaExample>();
        int rejected = 0;
        bool budgetStop = false;
        for (int round = 0, barren = 0; kept.Count < o.NumInstructionsToGenerate && barren < o.MaxBarrenRounds; round++)
        {
            int first = round * o.RequestsPerRound;
            int before = kept.Count;
            var prompts = new List<(string Prompt, List<int> SeedIdx)>();
            for (int j = 0; j < o.RequestsPerRound; j++)
            {
                var rng = new Random(StableSeed.Of(o.Seed, first + j, 0xa1ba));
                var picks = SelfInstructPipeline.Sample(rng, Enumerable.Range(0, demos.Count).ToList(), o.NumPromptInstructions);
                prompts.Add((AlpacaParsing.EncodePrompt(header, picks.Select(i => demos[i]).ToList()), picks));
            }
            var tasks = prompts.Select(async (p, j) =>
            {
                try { return await session.AskAsync($"alpaca/{first + j}", p.Prompt, o.Decoding, cancellationToken).ConfigureAwait(false); }
                catch (BudgetExceededException) { return null; }
            }).ToList();
            var replies = await Task.WhenAll(tasks).ConfigureAwait(false);
            if (replies.Any(r => r == null)) { budgetStop = true; break; }
            for (int j = 0; j < replies.Length; j++)
            {
                var reply = replies[j]!;
                var candidates = AlpacaParsing.ParseResponse(reply.Text, reply.FinishedByLength, o.NumPromptInstructions);
                for (int p = 0; p < candidates.Count; p++)
                {
                    var (ex, reason) = candidates[p];
                    NoveltyDecision? d = null;
                    if (reason == null)
                    {
                        d = index.TryAdd(ex.Instruction);
                        if (!d.Value.Kept) reason = "rouge_l";
                    }
                    if (reason == null) kept.Add(ex); else rejected++;
                    string key = $"example/{first + j}/{p}";
                    if (session.Store.HasMark(key)) continue;
                    session.Store.Append(new JsonObject
                    {
                        ["type"] = "example", ["key"] = key, ["stage"] = "alpaca", ["request_idx"] = first + j,
                        ["instruction"] = ex.Instruction, ["input"] = ex.Input, ["output"] = ex.Output,
                        ["kept"] = reason == null, ["reason"] = reason,
                        ["rouge_l"] = d?.MaxFMeasure, ["most_similar"] = d is { MostSimilar: >= 0 } dd ? index[dd.MostSimilar] : null,
                        ["seed_ids"] = new JsonArray(prompts[j].SeedIdx.Select(i => (JsonNode)seeds[i].Id).ToArray()),
                        ["teacher"] = reply.Teacher,
                    });
                }
            }
            barren = kept.Count == before ? barren + 1 : 0;
            if (Progress != null)
            {
                var pool = session.Teacher as TeacherPool;
                Progress.Report(new SynthesisProgress("alpaca", kept.Count, rejected, o.NumInstructionsToGenerate, session.Sent + session.Reused,
                    pool?.InFlight ?? 0, pool?.TotalTokens ?? 0, pool?.TotalCost ?? 0));
            }
        }
        return new AlpacaResult(kept, rejected, budgetStop);
    }

    /// <summary>alpaca_data.json (a JSON array of instruction/input/output) and alpaca_sft.jsonl (training prompt + output).</summary>
    public static void WriteOutputs(string directory, AlpacaResult result, PromptTemplates templates)
    {
        Directory.CreateDirectory(directory);
        var array = new JsonArray(result.Examples.Select(e => (JsonNode)new JsonObject { ["instruction"] = e.Instruction, ["input"] = e.Input, ["output"] = e.Output }).ToArray());
        File.WriteAllText(Path.Combine(directory, "alpaca_data.json"), array.ToJsonString(new System.Text.Json.JsonSerializerOptions
        {
            WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }));
        JsonRecords.WriteLines(Path.Combine(directory, "alpaca_sft.jsonl"), result.Examples.Select(e =>
            (JsonNode)new JsonObject { ["prompt"] = AlpacaParsing.TrainingPrompt(e, templates), ["completion"] = e.Output }));
    }

    public SynthesisEstimate Estimate(IReadOnlyList<TeacherEndpoint> endpoints)
    {
        var o = Options;
        long rounds = (long)Math.Ceiling(o.NumInstructionsToGenerate / (o.RequestsPerRound * o.ExpectedKeptPerRequest));
        long requests = rounds * o.RequestsPerRound;
        var demos = seeds.Take(o.NumPromptInstructions).Select(s => new AlpacaExample(s.Instruction, s.Instances.FirstOrDefault()?.Input ?? "", s.Instances.FirstOrDefault()?.Output ?? "")).ToList();
        long prompt = requests * TokenEstimate.Of(AlpacaParsing.EncodePrompt(o.Templates.Get("alpaca_prompt.txt"), demos).Length);
        long completion = requests * (o.Decoding.MaxOutputTokens ?? 3072);
        double cost = endpoints.Count == 0 ? 0 : endpoints.Max(e => e.Cost(prompt, completion));
        return new SynthesisEstimate(requests, prompt, completion, cost, $"{o.ExpectedKeptPerRequest} examples kept per request, every completion at max_tokens");
    }
}

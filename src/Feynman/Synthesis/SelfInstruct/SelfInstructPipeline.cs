using System.Text.Json.Nodes;
using Feynman.Synthesis.Filters;
using Feynman.Synthesis.Storage;
using Feynman.Synthesis.Teachers;

namespace Feynman.Synthesis.SelfInstruct;

/// <summary>
/// Self-Instruct (Wang et al. 2022) as in yizhongw/self-instruct: (1) bootstrap instructions from 8 in-context ones
/// (6 seed, 2 machine) with the heuristic filters and the ROUGE-L novelty filter; (2) ask whether each is a
/// classification task; (3) generate instances input-first, or output-first for classification; (4) post-process them.
/// Bootstrap requests go out in rounds whose prompts depend only on the seed and on earlier rounds, and every
/// response is processed in request order, so a run (and a resumed run) is reproducible given the same answers.
/// </summary>
public sealed class SelfInstructPipeline(TeacherSession session, IReadOnlyList<SeedTask> seeds, SelfInstructOptions options)
{
    public SelfInstructOptions Options { get; } = options;

    public IProgress<SynthesisProgress>? Progress { get; init; }

    public async Task<SelfInstructResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var o = Options;
        if (session.Budget is { } b)
        {
            var (t, c) = session.StoredUsage();
            b.AddSpent(t, c);
        }
        var seedPool = o.UseClassificationSeedsOnly ? seeds.Where(s => s.IsClassification).ToList() : seeds.ToList();
        if (seedPool.Count < o.NumPromptInstructions - o.NumMachineInstructionsInPrompt)
            throw new ArgumentException($"need at least {o.NumPromptInstructions - o.NumMachineInstructionsInPrompt} seed tasks for the prompt, have {seedPool.Count}.");
        var index = new NoveltyIndex(o.RougeThreshold, o.Tokenization);
        foreach (var s in seedPool) index.Add(s.Instruction);
        var machine = new List<string>();
        int rejected = 0;
        bool budgetStop = false;
        string header = Options.Templates.Get(o.UseClassificationSeedsOnly ? "self_instruct_bootstrap_clf.txt" : "self_instruct_bootstrap.txt");

        for (int round = 0, barren = 0; machine.Count < o.NumInstructionsToGenerate; round++)
        {
            // A teacher that only repeats itself would loop forever.
            if (barren >= o.MaxBarrenRounds) break;
            int keptBefore = machine.Count;
            int first = round * o.RequestsPerRound;
            var prompts = new List<(string Prompt, List<string> SeedIds, List<string> Shown)>();
            for (int j = 0; j < o.RequestsPerRound; j++)
            {
                var rng = new Random(StableSeed.Of(o.Seed, first + j, 0x5e1f));
                var shown = Sample(rng, machine, Math.Min(o.NumMachineInstructionsInPrompt, machine.Count));
                var seedPicks = Sample(rng, seedPool, o.NumPromptInstructions - shown.Count);
                var all = shown.Concat(seedPicks.Select(s => s.Instruction)).ToList();
                Shuffle(rng, all);
                prompts.Add((SelfInstructParsing.EncodeBootstrapPrompt(header, all), seedPicks.Select(s => s.Id).ToList(), all));
            }
            var replies = await AskAll(Enumerable.Range(0, prompts.Count).Select(j => ($"bootstrap/{first + j}", prompts[j].Prompt, o.BootstrapDecoding)).ToList(), cancellationToken);
            if (replies.Any(r => r == null)) { budgetStop = true; break; } // an incomplete round is finished by --resume

            for (int j = 0; j < replies.Count; j++)
            {
                var reply = replies[j]!;
                var candidates = SelfInstructParsing.ParseInstructions(reply.Text, reply.FinishedByLength);
                for (int p = 0; p < candidates.Count; p++)
                {
                    var (inst, reason) = candidates[p];
                    NoveltyDecision? d = null;
                    if (reason == null)
                    {
                        d = index.TryAdd(inst);
                        if (!d.Value.Kept) reason = "rouge_l";
                    }
                    if (reason == null) machine.Add(inst); else rejected++;
                    string key = $"instruction/{first + j}/{p}";
                    if (session.Store.HasMark(key)) continue;
                    session.Store.Append(new JsonObject
                    {
                        ["type"] = "instruction", ["key"] = key, ["stage"] = "bootstrap", ["request_idx"] = first + j, ["instruction"] = inst,
                        ["kept"] = reason == null, ["reason"] = reason,
                        ["rouge_l"] = d?.MaxFMeasure, ["most_similar"] = d is { MostSimilar: >= 0 } dd ? index[dd.MostSimilar] : null,
                        ["prompt_instructions"] = new JsonArray(prompts[j].Shown.Select(x => (JsonNode)x).ToArray()),
                        ["seed_ids"] = new JsonArray(prompts[j].SeedIds.Select(x => (JsonNode)x).ToArray()),
                        ["teacher"] = reply.Teacher,
                    });
                }
            }
            barren = machine.Count == keptBefore ? barren + 1 : 0;
            Report("bootstrap", machine.Count, rejected, o.NumInstructionsToGenerate);
        }

        var tasks = new List<SeedTask>();
        if (!budgetStop && o.IdentifyClassification)
        {
            var clfReplies = await AskAll(machine.Select((m, i) =>
                ($"classify/{i}", Options.Templates.Get("self_instruct_is_classification.txt").Replace("{instruction}", m), o.ClassificationDecoding)).ToList(), cancellationToken);
            budgetStop = clfReplies.Any(r => r == null);
            var isClf = clfReplies.Select(r => r != null && SelfInstructParsing.ParseIsClassification(r.Text)).ToList();
            if (!budgetStop && o.GenerateInstances)
            {
                var instReplies = await AskAll(machine.Select((m, i) =>
                    ($"instances/{i}", SelfInstructParsing.EncodeInstancePrompt(Options.Templates.Get(isClf[i] ? "self_instruct_output_first.txt" : "self_instruct_input_first.txt"), m),
                     o.InstanceDecoding(isClf[i]))).ToList(), cancellationToken);
                budgetStop = instReplies.Any(r => r == null);
                int keptTasks = 0, droppedTasks = 0;
                for (int i = 0; i < machine.Count; i++)
                {
                    if (instReplies[i] is not { } r) continue;
                    var instances = isClf[i]
                        ? SelfInstructParsing.ParseClassificationInstances(r.Text, r.FinishedByLength, o.MaxInstancesPerTask)
                        : SelfInstructParsing.ParseGenerationInstances(r.Text, r.FinishedByLength, o.MaxInstancesPerTask);
                    var task = new SeedTask($"machine_task_{i}", "", machine[i], instances, isClf[i]);
                    if (instances.Count > 0) { tasks.Add(task); keptTasks++; } else droppedTasks++;
                    string key = $"task/{i}";
                    if (session.Store.HasMark(key)) continue;
                    session.Store.Append(new JsonObject
                    {
                        ["type"] = "task", ["key"] = key, ["instruction"] = machine[i], ["is_classification"] = isClf[i],
                        ["instances"] = new JsonArray(instances.Select(x => (JsonNode)new JsonObject { ["input"] = x.Input, ["output"] = x.Output }).ToArray()),
                        ["kept"] = instances.Count > 0, ["reason"] = instances.Count > 0 ? null : "no_valid_instances", ["teacher"] = r.Teacher,
                    });
                }
                Report("instances", keptTasks, droppedTasks, machine.Count);
            }
        }
        return new SelfInstructResult(machine, tasks, rejected, budgetStop);
    }

    /// <summary>Writes the run's outputs into <paramref name="directory"/>: instructions, tasks (seed format) and SFT data.</summary>
    public static void WriteOutputs(string directory, SelfInstructResult result)
    {
        Directory.CreateDirectory(directory);
        JsonRecords.WriteLines(Path.Combine(directory, "machine_generated_instructions.jsonl"),
            result.Instructions.Select(i => (JsonNode)new JsonObject { ["instruction"] = i }));
        JsonRecords.WriteLines(Path.Combine(directory, "machine_generated_tasks.jsonl"), result.Tasks.Select(t => (JsonNode)new JsonObject
        {
            ["id"] = t.Id, ["name"] = t.Name, ["instruction"] = t.Instruction, ["is_classification"] = t.IsClassification,
            ["instances"] = new JsonArray(t.Instances.Select(x => (JsonNode)new JsonObject { ["input"] = x.Input, ["output"] = x.Output }).ToArray()),
        }));
        JsonRecords.WriteLines(Path.Combine(directory, "finetuning_data.jsonl"), result.Tasks.SelectMany(t => t.Instances.Select(x =>
            (JsonNode)new JsonObject { ["instruction"] = t.Instruction, ["input"] = x.Input, ["output"] = x.Output })));
    }

    /// <summary>The --dry-run estimate: bootstrap rounds at the assumed yield, then one classification and one instance request per instruction.</summary>
    public SynthesisEstimate Estimate(IReadOnlyList<TeacherEndpoint> endpoints)
    {
        var o = Options;
        long perRound = o.RequestsPerRound;
        long rounds = (long)Math.Ceiling(o.NumInstructionsToGenerate / (perRound * o.ExpectedKeptPerRequest));
        long boot = rounds * perRound;
        string header = o.Templates.Get("self_instruct_bootstrap.txt");
        var rng = new Random(o.Seed);
        var sample = Sample(rng, seeds.ToList(), Math.Min(seeds.Count, o.NumPromptInstructions)).Select(s => s.Instruction).ToList();
        long bootPrompt = TokenEstimate.Of(SelfInstructParsing.EncodeBootstrapPrompt(header, sample).Length);
        long n = o.NumInstructionsToGenerate;
        long clfPrompt = o.IdentifyClassification ? TokenEstimate.Of(o.Templates.Get("self_instruct_is_classification.txt").Length + 100) : 0;
        long instPrompt = o.GenerateInstances ? TokenEstimate.Of(o.Templates.Get("self_instruct_input_first.txt").Length + 100) : 0;
        long requests = boot + (o.IdentifyClassification ? n : 0) + (o.GenerateInstances ? n : 0);
        long prompt = boot * bootPrompt + n * (clfPrompt + instPrompt);
        long completion = boot * (o.BootstrapDecoding.MaxOutputTokens ?? 1024) + (o.IdentifyClassification ? n * 3 : 0) + (o.GenerateInstances ? n * 350 : 0);
        double cost = endpoints.Count == 0 ? 0 : endpoints.Max(e => e.Cost(prompt, completion));
        return new SynthesisEstimate(requests, prompt, completion, cost, $"{o.ExpectedKeptPerRequest} instructions kept per bootstrap request, every completion at max_tokens");
    }

    // Sends all prompts at once (the pool bounds what is in flight); null for a request refused by the budget.
    private async Task<List<TeacherReply?>> AskAll(List<(string Key, string Prompt, Microsoft.Extensions.AI.ChatOptions Options)> items, CancellationToken ct)
    {
        var tasks = items.Select(async it =>
        {
            try { return await session.AskAsync(it.Key, it.Prompt, it.Options, ct).ConfigureAwait(false); }
            catch (BudgetExceededException) { return null; }
        }).ToList();
        var replies = await Task.WhenAll(tasks).ConfigureAwait(false);
        return [.. replies];
    }

    private void Report(string stage, int accepted, int rejected, int target)
    {
        if (Progress == null) return;
        var pool = session.Teacher as TeacherPool;
        Progress.Report(new SynthesisProgress(stage, accepted, rejected, target, session.Sent + session.Reused, pool?.InFlight ?? 0,
            pool?.TotalTokens ?? 0, pool?.TotalCost ?? 0));
    }

    // Python's random.sample: k distinct items in random order.
    internal static List<T> Sample<T>(Random rng, IReadOnlyList<T> items, int k)
    {
        var idx = Enumerable.Range(0, items.Count).ToArray();
        for (int i = 0; i < k; i++)
        {
            int j = i + rng.Next(idx.Length - i);
            (idx[i], idx[j]) = (idx[j], idx[i]);
        }
        return idx.Take(k).Select(i => items[i]).ToList();
    }

    private static void Shuffle<T>(Random rng, List<T> list)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}

using System.CommandLine;
using Feynman.Synthesis;
using Feynman.Synthesis.SelfInstruct;
using Feynman.Synthesis.Storage;
using Feynman.Synthesis.Teachers;
using Spectre.Console;

namespace Feynman.Cli.Commands;

/// <summary><c>feynman synth self-instruct</c>: the Self-Instruct pipeline against OpenAI-compatible teachers.</summary>
public static class SynthSelfInstructCommand
{
    public static Command Build()
    {
        var o = new SynthRunOptions();
        var noInstances = new Option<bool>("--instructions-only") { Description = "Stop after bootstrapping instructions (no classification, no instances)." };
        var clfOnly = new Option<bool>("--clf-seeds-only") { Description = "Bootstrap classification tasks from classification seeds only." };
        var cmd = new Command("self-instruct", "Self-Instruct (Wang et al. 2022): bootstrap instructions, identify classification tasks, generate instances, filter.");
        o.AddTo(cmd);
        cmd.Options.Add(noInstances);
        cmd.Options.Add(clfOnly);
        cmd.SetAction((parse, ct) => SynthRunOptions.Guard("self-instruct", async () =>
        {
            var seeds = SeedTask.Load(parse.GetValue(o.Seeds)!);
            var options = new SelfInstructOptions
            {
                NumInstructionsToGenerate = parse.GetValue(o.Num), RequestsPerRound = parse.GetValue(o.PerRound), Seed = parse.GetValue(o.Seed),
                Tokenization = o.TokenizationOf(parse), Templates = new PromptTemplates(parse.GetValue(o.Templates)),
                IdentifyClassification = !parse.GetValue(noInstances), GenerateInstances = !parse.GetValue(noInstances),
                UseClassificationSeedsOnly = parse.GetValue(clfOnly),
            };
            if (parse.GetValue(o.DryRun))
            {
                Console.WriteLine("estimate: " + new SelfInstructPipeline(null!, seeds, options).Estimate(o.EndpointsOf(parse)));
                return 0;
            }
            var dir = parse.GetValue(o.Out)!;
            var budget = new Budget(parse.GetValue(o.MaxCost), parse.GetValue(o.MaxTokens));
            using var pool = o.PoolOf(parse, budget);
            using var store = GenerationStore.Open(Path.Combine(dir, "store.jsonl"), parse.GetValue(o.Resume));
            var session = new TeacherSession(pool, store, budget);
            var result = await SynthRunOptions.WithProgress("self-instruct", options.NumInstructionsToGenerate, pool,
                progress => new SelfInstructPipeline(session, seeds, options) { Progress = progress }.RunAsync(ct));
            SelfInstructPipeline.WriteOutputs(dir, result);
            SynthRunOptions.PrintUsage(pool, budget);
            Console.WriteLine($"instructions kept {result.Instructions.Count}, rejected {result.Rejected}, tasks with instances {result.Tasks.Count}; " +
                              $"requests sent {session.Sent}, reused from the store {session.Reused}; outputs in {dir}");
            if (result.StoppedByBudget) Console.WriteLine("stopped by the budget cap; raise it and rerun with --resume to continue.");
            return 0;
        }));
        return cmd;
    }
}

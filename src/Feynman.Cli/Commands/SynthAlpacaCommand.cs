using System.CommandLine;
using Feynman.Synthesis;
using Feynman.Synthesis.Alpaca;
using Feynman.Synthesis.SelfInstruct;
using Feynman.Synthesis.Storage;
using Feynman.Synthesis.Teachers;
using Spectre.Console;

namespace Feynman.Cli.Commands;

/// <summary><c>feynman synth alpaca</c>: the Alpaca generation pipeline against OpenAI-compatible teachers.</summary>
public static class SynthAlpacaCommand
{
    public static Command Build()
    {
        var o = new SynthRunOptions();
        var cmd = new Command("alpaca", "Alpaca (Taori et al. 2023): 20 instruction/input/output triples per request from 3 seed demonstrations; writes alpaca_data.json.");
        o.AddTo(cmd);
        cmd.SetAction((parse, ct) => SynthRunOptions.Guard("alpaca", async () =>
        {
            var seeds = SeedTask.Load(parse.GetValue(o.Seeds)!);
            var templates = new PromptTemplates(parse.GetValue(o.Templates));
            var options = new AlpacaOptions
            {
                NumInstructionsToGenerate = parse.GetValue(o.Num), RequestsPerRound = parse.GetValue(o.PerRound), Seed = parse.GetValue(o.Seed),
                Tokenization = o.TokenizationOf(parse), Templates = templates,
            };
            if (parse.GetValue(o.DryRun))
            {
                Console.WriteLine("estimate: " + new AlpacaPipeline(null!, seeds, options).Estimate(o.EndpointsOf(parse)));
                return 0;
            }
            var dir = parse.GetValue(o.Out)!;
            var budget = new Budget(parse.GetValue(o.MaxCost), parse.GetValue(o.MaxTokens));
            using var pool = o.PoolOf(parse, budget);
            using var store = GenerationStore.Open(Path.Combine(dir, "store.jsonl"), parse.GetValue(o.Resume));
            var session = new TeacherSession(pool, store, budget);
            var result = await SynthRunOptions.WithProgress("alpaca", options.NumInstructionsToGenerate, pool,
                progress => new AlpacaPipeline(session, seeds, options) { Progress = progress }.RunAsync(ct));
            AlpacaPipeline.WriteOutputs(dir, result, templates);
            SynthRunOptions.PrintUsage(pool, budget);
            Console.WriteLine($"examples kept {result.Examples.Count}, rejected {result.Rejected}; requests sent {session.Sent}, reused from the store {session.Reused}; " +
                              $"{Path.Combine(dir, "alpaca_data.json")}");
            if (result.StoppedByBudget) Console.WriteLine("stopped by the budget cap; raise it and rerun with --resume to continue.");
            return 0;
        }));
        return cmd;
    }
}

using System.CommandLine;

namespace Feynman.Cli.Commands;

/// <summary><c>feynman synth</c>: synthetic instruction data from LLM teachers (Self-Instruct, Alpaca) and its filters.</summary>
public static class SynthCommand
{
    public static Command Build()
    {
        var synth = new Command("synth", "Synthetic instruction data from LLM teachers: Self-Instruct, Alpaca, filters, statistics.");
        synth.Subcommands.Add(SynthSelfInstructCommand.Build());
        synth.Subcommands.Add(SynthAlpacaCommand.Build());
        synth.Subcommands.Add(SynthFilterCommand.Build());
        synth.Subcommands.Add(SynthJudgeCommand.Build());
        synth.Subcommands.Add(SynthStatsCommand.Build());
        synth.Subcommands.Add(SynthTemplatesCommand.Build());
        return synth;
    }
}

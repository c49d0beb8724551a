using System.CommandLine;
using System.Reflection;
using Feynman.Tensors.Kernels;

namespace Feynman.Cli;

/// <summary>The root <c>feynman</c> command; each subcommand lives in its own file and registers here.</summary>
public static class FeynmanCommand
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Feynman: models that teach models.") { HelpName = "feynman" };
        // System.CommandLine's built-in --version prints only the version; ours also names the engine configuration.
        var builtIn = root.Options.OfType<VersionOption>().FirstOrDefault();
        if (builtIn != null) root.Options.Remove(builtIn);
        var version = new Option<bool>("--version") { Description = "Show version and engine configuration." };
        root.Options.Add(version);
        foreach (var c in Commands.ExperimentCommands.Build()) root.Subcommands.Add(c);
        root.Subcommands.Add(Commands.EvalCommand.Build());
        root.Subcommands.Add(Commands.RunsCommand.Build());
        root.Subcommands.Add(Commands.ReportCommand.Build());
        root.Subcommands.Add(Commands.SynthCommand.Build());
        root.Subcommands.Add(Commands.LabelsCommand.Build());
        root.Subcommands.Add(Commands.AnnotatorsCommand.Build());
        root.Subcommands.Add(Commands.ServeCommand.Build());
        root.Subcommands.Add(Commands.TeachCommand.Build());
        root.SetAction(parse =>
        {
            if (parse.GetValue(version))
            {
                Console.WriteLine(VersionText());
                return 0;
            }
            Console.WriteLine(root.Description);
            Console.WriteLine("Run 'feynman --help' for the commands.");
            return 0;
        });
        return root;
    }

    public static string VersionText()
    {
        var asm = typeof(FeynmanCommand).Assembly;
        var v = asm.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? asm.GetName().Version?.ToString() ?? "?";
        var gemm = Gemm.Backend;
        var lines = new List<string>
        {
            $"feynman {v.Split('+')[0]}",
            $"gemm: {gemm.Name} ({gemm.Threads} threads){(gemm is OpenBlasGemm b ? $" [{b.Config.Trim()}]" : "")}",
        };
        if (Gemm.FallbackReason is { } why) lines.Add($"gemm fallback: {why}");
        lines.Add($"threads: {Gemm.Threads} (FEYNMAN_THREADS), gemm override: FEYNMAN_GEMM={Environment.GetEnvironmentVariable("FEYNMAN_GEMM") ?? "auto"}");
        lines.Add($"simd: {(System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "256-bit" : "128-bit or none")}, fma: {System.Runtime.Intrinsics.X86.Fma.IsSupported}");
        lines.Add($".NET {Environment.Version}, {Environment.ProcessorCount} cores");
        return string.Join(Environment.NewLine, lines);
    }
}

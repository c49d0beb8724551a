using System.CommandLine;
using Feynman.Tracking;

namespace Feynman.Cli.Commands;

/// <summary>Options several commands share.</summary>
internal static class CommonOptions
{
    public static Option<string> Database() => new("--db")
    {
        Description = $"Run database (default: $FEYNMAN_DB or {RunStore.DefaultPath} under the working directory).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FEYNMAN_DB") ?? RunStore.DefaultPath,
    };

    public static Option<string?> DataDir() => new("--data-dir")
    {
        Description = "Folder with the Fashion-MNIST *-ubyte.gz files (default: /usr/share/datasets/fashion-mnist).",
    };
}

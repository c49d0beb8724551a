using System.Diagnostics;

namespace Feynman.Tests.Serialization;

/// <summary>A fact skipped only when /usr/bin/python3 cannot import torch (the PyTorch side of a round trip).</summary>
public sealed class RequiresTorchFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<bool> Available = new(() =>
    {
        try
        {
            if (!File.Exists(Python)) return false;
            using var p = Process.Start(new ProcessStartInfo(Python, ["-c", "import torch"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            p.WaitForExit(60_000);
            return p.HasExited && p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    public RequiresTorchFactAttribute()
    {
        if (!Available.Value) Skip = $"{Python} cannot import torch.";
    }

    /// <summary>The repository's reference/ folder, found upwards from the test output folder.</summary>
    public static string ReferenceFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "reference", "safetensors_io.py");
            if (File.Exists(candidate)) return Path.GetDirectoryName(candidate)!;
        }
        throw new DirectoryNotFoundException($"reference/safetensors_io.py not found above {AppContext.BaseDirectory}.");
    }
}

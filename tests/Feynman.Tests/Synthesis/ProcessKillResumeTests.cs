using System.Diagnostics;
using Feynman.Cli;
using Feynman.Synthesis.Storage;
using Feynman.Tests.Synthesis.Support;

namespace Feynman.Tests.Synthesis;

[Collection(Feynman.Tests.Support.ConsoleCollection.Name)]
public class ProcessKillResumeTests
{
    [Fact]
    public async Task KilledCliRunResumesToTheSameResultWithoutDuplicates()
    {
        await using var server = await FakeOpenAIServer.StartAsync(FakeTeacher.Answer);
        server.Latency = TimeSpan.FromMilliseconds(150);
        var dir = SelfInstructTests.TempDir();
        string seeds = Path.Combine(AppContext.BaseDirectory, "Synthesis", "Templates", "seed_tasks.jsonl");
        string[] Args(string outDir) => ["synth", "self-instruct", "--endpoint", server.BaseUrl.ToString(), "--model", "fake", "--seeds", seeds,
            "--out", outDir, "--num", "30", "--requests-per-round", "4", "--in-flight", "4"];

        Assert.Equal(0, await FeynmanCommand.Build().Parse(Args(Path.Combine(dir, "ref"))).InvokeAsync());

        // The same run in a child process, killed once some responses are stored.
        var killedDir = Path.Combine(dir, "killed");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // The CLI's own build output (bin/<config>/net10.0 beside the test's), which has its complete dependency set.
        var testBin = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var cliDll = testBin.Replace(Path.Combine("tests", "Feynman.Tests", "bin"), Path.Combine("src", "Feynman.Cli", "bin")) + Path.DirectorySeparatorChar + "Feynman.Cli.dll";
        Assert.True(File.Exists(cliDll), $"CLI build not found at {cliDll}");
        psi.ArgumentList.Add(cliDll);
        foreach (var a in Args(killedDir)) psi.ArgumentList.Add(a);
        using var child = Process.Start(psi)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        var store = Path.Combine(killedDir, "store.jsonl");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !child.HasExited && (!File.Exists(store) || CountResponses(store) < 6)) await Task.Delay(20);
        if (child.HasExited) Assert.Fail($"the child finished before it could be killed (exit {child.ExitCode}): {await stdout} {await stderr}");
        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync();
        int storedAtKill = CountResponses(store);
        Assert.InRange(storedAtKill, 6, 200);

        Assert.Equal(0, await FeynmanCommand.Build().Parse([.. Args(killedDir), "--resume"]).InvokeAsync());
        Assert.Equal(Lines(Path.Combine(dir, "ref", "machine_generated_instructions.jsonl")), Lines(Path.Combine(killedDir, "machine_generated_instructions.jsonl")));
        Assert.Equal(Lines(Path.Combine(dir, "ref", "machine_generated_tasks.jsonl")), Lines(Path.Combine(killedDir, "machine_generated_tasks.jsonl")));
        var keys = JsonRecords.Read(store).Where(r => r["key"] != null).Select(r => r["key"]!.GetValue<string>()).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        var refKeys = JsonRecords.Read(Path.Combine(dir, "ref", "store.jsonl")).Where(r => r["key"] != null).Select(r => r["key"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(refKeys, keys.Order().ToList()); // no gap, no extra
        Directory.Delete(dir, true);
    }

    private static int CountResponses(string path)
    {
        try
        {
            using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var r = new StreamReader(s);
            return r.ReadToEnd().Split('\n').Count(l => l.Contains("\"type\":\"response\"", StringComparison.Ordinal));
        }
        catch (IOException) { return 0; }
    }

    private static string[] Lines(string path) => File.ReadAllLines(path);
}

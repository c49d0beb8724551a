using System.Diagnostics;
using Feynman.Tracking;

namespace Feynman.Tests.Tracking;

public class RunStoreTests
{
    private static string TempDb() => Path.Combine(Path.GetTempPath(), "feynman-tests", Guid.NewGuid().ToString("N"), "runs", "feynman.db");

    [Fact]
    public void RecordsARunAndReadsItBack()
    {
        var path = TempDb();
        long id;
        using (var store = RunStore.Open(path))
        {
            using var run = store.StartRun("quickstart", recipe: "epochs: 2\n", parametersJson: """{"epochs": 2, "lr": 0.1}""", seed: ulong.MaxValue - 1);
            id = run.Id;
            Assert.Equal(RunStatus.Running, store.GetSummary(id).Status);
            run.LogEpoch("teacher", 1, "train_loss", 0.5);
            run.LogEpoch("teacher", 2, new Dictionary<string, double> { ["train_loss"] = 0.25, ["val_accuracy"] = 0.875 });
            run.LogEpoch("student", 1, "train_loss", double.NaN);
            run.LogMetric("test_accuracy", 0.9, model: "teacher");
            run.LogMetric("wall_seconds", 12.5);
            run.AddArtifact("report", "report.html");
            run.Finish(RunStatus.Finished);
        }
        Assert.True(File.Exists(path));
        using (var store = RunStore.Open(path))
        {
            var details = store.GetRun(id);
            Assert.Equal("quickstart", details.Summary.Name);
            Assert.Equal(RunStatus.Finished, details.Summary.Status);
            Assert.Equal(ulong.MaxValue - 1, details.Summary.Seed);
            Assert.NotNull(details.Summary.EndedAt);
            Assert.True(details.Summary.EndedAt >= details.Summary.StartedAt);
            Assert.Equal(Environment.ProcessId, details.Summary.Pid);
            Assert.Equal("epochs: 2\n", details.Recipe);
            Assert.Contains("\"lr\": 0.1", details.ParametersJson);
            Assert.Equal([(1, 0.5), (2, 0.25)], details.Curve("teacher", "train_loss"));
            Assert.Equal([(2, 0.875)], details.Curve("teacher", "val_accuracy"));
            Assert.True(double.IsNaN(details.Curve("student", "train_loss")[0].Value));
            Assert.Equal(0.9, details.Final("test_accuracy", "teacher"));
            Assert.Equal(12.5, details.Final("wall_seconds"));
            Assert.Null(details.Final("test_accuracy"));
            var artifact = Assert.Single(details.Artifacts);
            Assert.Equal("report", artifact.Kind);
            Assert.Equal(Path.GetFullPath("report.html"), artifact.Path);
            Assert.Equal(id, Assert.Single(store.ListRuns()).Id);
            var ex = Assert.Throws<KeyNotFoundException>(() => store.GetRun(id + 1));
            Assert.Contains($"no run {id + 1}", ex.Message);
        }
    }

    [Fact]
    public void RecordsTheGitCommitOfTheWorkingDirectory()
    {
        var git = Process.Start(new ProcessStartInfo("git", ["rev-parse", "HEAD"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string expected = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        using var store = RunStore.Open(TempDb());
        using var run = store.StartRun("git");
        run.Finish(RunStatus.Finished);
        var commit = store.GetSummary(run.Id).GitCommit;
        if (git.ExitCode == 0) Assert.Equal(expected, commit);
        else Assert.Null(commit);
        Assert.Null(RunStore.GitCommit(Path.GetTempPath()));
    }

    [Fact]
    public void ARunWhoseProcessDiedIsListedAsFailed()
    {
        using var store = RunStore.Open(TempDb());
        var run = store.StartRun("crashed");
        using var child = Process.Start(new ProcessStartInfo("true"))!;
        child.WaitForExit();
        // Pretend the run belonged to the child, which has now exited without finishing it.
        store.Write("UPDATE runs SET pid = $pid, pid_started_at = NULL WHERE id = $id;", ("$pid", child.Id), ("$id", run.Id));
        var summary = Assert.Single(store.ListRuns());
        Assert.Equal(RunStatus.Failed, summary.Status);
        Assert.Contains($"process {child.Id}", summary.Error);
        // Our own live process keeps a run running; a pid reused by another process does not.
        var live = store.StartRun("live");
        Assert.Equal(RunStatus.Running, store.GetSummary(live.Id).Status);
        store.Write("UPDATE runs SET pid_started_at = '2000-01-01T00:00:00.0000000Z' WHERE id = $id;", ("$id", live.Id));
        Assert.Equal(RunStatus.Failed, store.GetSummary(live.Id).Status);
        live.Finish(RunStatus.Interrupted);
        Assert.Equal(RunStatus.Interrupted, store.GetSummary(live.Id).Status);
    }

    [Fact]
    public void DisposingAnUnfinishedRunMarksItFailedAndResumeTakesItUpAgain()
    {
        using var store = RunStore.Open(TempDb());
        long id;
        using (var run = store.StartRun("killed"))
        {
            id = run.Id;
            run.LogEpoch("m", 1, "loss", 2.0);
        }
        Assert.Equal(RunStatus.Failed, store.GetSummary(id).Status);
        using (var resumed = store.ResumeRun(id))
        {
            Assert.Equal(RunStatus.Running, store.GetSummary(id).Status);
            Assert.Null(store.GetSummary(id).EndedAt);
            resumed.LogEpoch("m", 1, "loss", 1.5); // the resumed run redoes epoch 1
            resumed.Finish(RunStatus.Finished);
        }
        Assert.Equal([(1, 1.5)], store.GetRun(id).Curve("m", "loss"));
        var ex = Assert.Throws<InvalidOperationException>(() => store.ResumeRun(id));
        Assert.Contains("finished", ex.Message);
    }

    [Fact]
    public void ConcurrentWritersLoseNothing()
    {
        var path = TempDb();
        using (RunStore.Open(path)) { }
        var ids = new long[4];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, w =>
        {
            using var store = RunStore.Open(path);
            using var run = store.StartRun($"writer{w}");
            ids[w] = run.Id;
            for (int e = 0; e < 50; e++) run.LogEpoch("m", e, "loss", w * 1000 + e);
            run.Finish(RunStatus.Finished);
        });
        using var reader = RunStore.Open(path);
        Assert.Equal(4, reader.ListRuns().Count);
        for (int w = 0; w < 4; w++)
        {
            var curve = reader.GetRun(ids[w]).Curve("m", "loss");
            Assert.Equal(Enumerable.Range(0, 50).Select(e => (e, (double)(w * 1000 + e))), curve);
        }
    }

    [Fact]
    public void CompareListsMetricsSideBySideAndOnlyTheParametersThatDiffer()
    {
        using var store = RunStore.Open(TempDb());
        var a = store.StartRun("a", parametersJson: """{"seed": 1, "student": {"lr": 0.1, "layers": [784, 10]}}""");
        a.LogMetric("accuracy", 0.8, "student");
        a.LogMetric("accuracy", 0.9, "teacher");
        a.Finish(RunStatus.Finished);
        var b = store.StartRun("b", parametersJson: """{"seed": 2, "student": {"lr": 0.1, "layers": [784, 20]}}""");
        b.LogMetric("accuracy", 0.85, "student");
        b.Finish(RunStatus.Finished);
        var cmp = store.Compare([b.Id, a.Id]);
        Assert.Equal(["b", "a"], cmp.Runs.Select(r => r.Name));
        var student = cmp.Metrics.Single(m => m.Model == "student");
        Assert.Equal([0.85, 0.8], student.Values);
        var teacher = cmp.Metrics.Single(m => m.Model == "teacher");
        Assert.Equal([null, 0.9], teacher.Values);
        Assert.Equal(["seed", "student.layers[1]"], cmp.ParameterDifferences.Select(p => p.Path));
        Assert.Equal(["20", "10"], cmp.ParameterDifferences[1].Values);
    }

    [Fact]
    public void BadParametersJsonIsRejectedWithTheReason()
    {
        using var store = RunStore.Open(TempDb());
        var ex = Assert.Throws<ArgumentException>(() => store.StartRun("x", parametersJson: "{not json"));
        Assert.Contains("not valid JSON", ex.Message);
        Assert.Empty(store.ListRuns());
    }
}

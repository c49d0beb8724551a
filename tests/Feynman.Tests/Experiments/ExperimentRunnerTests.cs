using System.Text.Json;
using Feynman.Data;
using Feynman.Experiments;
using Feynman.Tests.Training;
using Feynman.Tracking;
using Feynman.Training.Recipes;

namespace Feynman.Tests.Experiments;

public class ExperimentRunnerTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "feynman-exp-" + Guid.NewGuid().ToString("N"));

    static ExperimentRunnerTests()
    {
        // Small synthetic sources so a whole distillation experiment runs in a second.
        DataSources.Register("blobs:train", _ => SyntheticData.Blobs(600, features: 8, classes: 3, seed: 11, spread: 1.6f, sampleSeed: 1));
        DataSources.Register("blobs:test", _ => SyntheticData.Blobs(300, features: 8, classes: 3, seed: 11, spread: 1.6f, sampleSeed: 2));
    }

    private const string Recipe = """
        name: tiny-kd
        seed: 3
        data: {train: "blobs:train", test: "blobs:test", validation: 0.2}
        training:
          epochs: 6
          batch_size: 32
          optimizer: {name: sgd, lr: 0.1, momentum: 0.9}
          schedule: cosine
        teacher:
          name: big
          model:
            input: [8]
            layers: [{linear: 64}, relu, {linear: 64}, relu, {linear: 3}]
        student:
          name: small
          model:
            input: [8]
            layers: [{linear: 3}]
        distillation: {temperature: 2, alpha: 0.5}
        """;

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
    }

    private ExperimentSettings Settings(bool resume = false) => new()
    {
        OutputDirectory = Path.Combine(dir, "out"),
        DatabasePath = Path.Combine(dir, "runs.db"),
        Resume = resume,
    };

    [Fact]
    public void DistillationRecipeRunsEndToEndAndIsRecorded()
    {
        var recipe = RecipeParser.Parse(Recipe, "tiny-kd.yaml");
        var result = new ExperimentRunner(Settings()).Run(recipe);

        Assert.Equal(["teacher", "student (labels)", "student (distilled)"], result.Models.Select(m => m.Role));
        Assert.All(result.Models, m => Assert.InRange(m.TestAccuracy, 0.34, 1.0));
        Assert.All(result.Models, m => Assert.Equal(6, m.History.Count));
        var teacher = result.Models[0];
        Assert.Equal(64 * 8 + 64 + 64 * 64 + 64 + 3 * 64 + 3, teacher.Parameters);
        Assert.Equal(3 * 8 + 3, result.Models[1].Parameters);
        Assert.Contains(result.Notes, n => n.Contains("Distillation took the student"));

        var outDir = Path.Combine(dir, "out");
        var saved = ExperimentResult.Load(Path.Combine(outDir, "results.json"));
        Assert.Equal(result.Models.Select(m => m.TestAccuracy), saved.Models.Select(m => m.TestAccuracy));
        var html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("small-distilled", html);
        Assert.True(File.Exists(Path.Combine(outDir, "big.safetensors")));

        using var store = RunStore.Open(Path.Combine(dir, "runs.db"));
        var run = store.GetRun(result.RunId!.Value);
        Assert.Equal(RunStatus.Finished, run.Summary.Status);
        Assert.Equal(teacher.TestAccuracy, run.Final(MetricKeys.TestAccuracy, "big"));
        Assert.Equal(6, run.Curve("small-distilled", MetricKeys.TrainLoss).Count);
        Assert.Contains(run.Artifacts, a => a.Kind == "report");
        Assert.NotNull(store.GetDocument(run.Summary.Id, Feynman.Tracking.Reports.ReportJson.DocumentName));
    }

    [Fact]
    public void ResumingAFinishedExperimentReproducesItWithoutRetraining()
    {
        var recipe = RecipeParser.Parse(Recipe, "tiny-kd.yaml");
        var first = new ExperimentRunner(Settings()).Run(recipe);
        var again = new ExperimentRunner(Settings(resume: true)).Run(recipe);
        Assert.Equal(first.Models.Select(m => m.TestAccuracy), again.Models.Select(m => m.TestAccuracy));
        Assert.Equal(first.Models.Select(m => m.History.Select(h => h.TrainLoss).ToArray()), again.Models.Select(m => m.History.Select(h => h.TrainLoss).ToArray()));
    }

    [Fact]
    public void SameSeedSameResults()
    {
        var recipe = RecipeParser.Parse(Recipe, "tiny-kd.yaml");
        var a = new ExperimentRunner(Settings() with { OutputDirectory = Path.Combine(dir, "a"), DatabasePath = null }).Run(recipe);
        var b = new ExperimentRunner(Settings() with { OutputDirectory = Path.Combine(dir, "b"), DatabasePath = null }).Run(recipe);
        Assert.Equal(a.Models.Select(m => m.TestAccuracy), b.Models.Select(m => m.TestAccuracy));
        Assert.Equal(a.Models.Select(m => m.TestLoss), b.Models.Select(m => m.TestLoss));
    }
}

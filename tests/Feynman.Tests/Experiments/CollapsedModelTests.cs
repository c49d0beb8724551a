using Feynman.Data;
using Feynman.Experiments;
using Feynman.Serialization;
using Feynman.Tensors;
using Feynman.Tests.Training;
using Feynman.Training.Metrics;
using Feynman.Training.Recipes;

namespace Feynman.Tests.Experiments;

/// <summary>A model that answers one class for everything is named in the run's notes, not only seen at 1/K accuracy.</summary>
public class CollapsedModelTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "feynman-collapse-" + Guid.NewGuid().ToString("N"));

    static CollapsedModelTests()
    {
        DataSources.Register("collapse-blobs:train", _ => SyntheticData.Blobs(400, features: 8, classes: 3, seed: 5, spread: 1.6f, sampleSeed: 1));
        DataSources.Register("collapse-blobs:test", _ => SyntheticData.Blobs(200, features: 8, classes: 3, seed: 5, spread: 1.6f, sampleSeed: 2));
    }

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
    }

    [Fact]
    public void SinglePredictedClassIsTheOnlyColumnWithCounts()
    {
        var m = new ConfusionMatrix(3);
        Assert.Null(m.SinglePredictedClass); // empty
        m.Add(0, 2, 5);
        m.Add(1, 2, 4);
        m.Add(2, 2, 1);
        Assert.Equal(2, m.SinglePredictedClass);
        m.Add(1, 1);
        Assert.Null(m.SinglePredictedClass);
        // 10 of 11 predictions are class 2: dominant at a share of 0.9, not at 0.95.
        Assert.Equal(2, m.DominantPredictedClass(0.9));
        Assert.Null(m.DominantPredictedClass(0.95));
        Assert.Null(new ConfusionMatrix(3).DominantPredictedClass(0.9));
    }

    [Fact]
    public void ACollapsedTeacherIsNamedInTheNotesAndAHealthyStudentIsNot()
    {
        Directory.CreateDirectory(dir);
        // All-zero weights: every logit is 0, so every sample gets the same (first) class.
        string weights = Path.Combine(dir, "zeros.safetensors");
        Safetensors.Save(weights, new Dictionary<string, Tensor> { ["0.weight"] = Tensor.Zeros(3, 8), ["0.bias"] = Tensor.Zeros(3) });
        string recipe = $$$"""
            name: collapse
            seed: 1
            data: {train: "collapse-blobs:train", test: "collapse-blobs:test", validation: 0}
            training: {epochs: 3, batch_size: 32, optimizer: {name: sgd, lr: 0.1, momentum: 0.9}}
            teacher:
              name: flat
              weights: {{{weights}}}
              model: {input: [8], layers: [{linear: 3}]}
            student:
              name: small
              model: {input: [8], layers: [{linear: 16}, relu, {linear: 3}]}
            distillation: {temperature: 2, alpha: 0.5}
            """;
        var settings = new ExperimentSettings { OutputDirectory = Path.Combine(dir, "out"), DatabasePath = Path.Combine(dir, "runs.db") };
        var result = new ExperimentRunner(settings).Run(RecipeParser.Parse(recipe, "collapse.yaml"));

        var flat = result.Models.Single(m => m.Name == "flat");
        Assert.All(flat.Confusion, row => Assert.Equal(row.Sum(), row[0])); // every sample predicted as class 0
        Assert.Single(result.Notes, n => n.StartsWith("flat predicts", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Notes, n => n.StartsWith("small-labels predicts", StringComparison.Ordinal));
        Assert.True(result.Models.Single(m => m.Name == "small-labels").TestAccuracy > 0.5);
    }
}

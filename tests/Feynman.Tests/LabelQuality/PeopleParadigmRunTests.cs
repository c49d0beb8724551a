using Feynman.Data;
using Feynman.Experiments;
using Feynman.Paradigms.ActiveLearning;
using Feynman.Training.Recipes;

namespace Feynman.Tests.LabelQuality;

/// <summary>The active-learning and label-quality paradigms run end to end through ExperimentRunner on small blobs.</summary>
public class PeopleParadigmRunTests
{
    static PeopleParadigmRunTests()
    {
        DataSources.Register("test-people-blobs:train", _ => Training.SyntheticData.Blobs(600, features: 8, classes: 4, seed: 21, spread: 0.7f, sampleSeed: 1));
        DataSources.Register("test-people-blobs:test", _ => Training.SyntheticData.Blobs(300, features: 8, classes: 4, seed: 21, spread: 0.7f, sampleSeed: 2));
    }

    private const string Data = "data: {train: test-people-blobs:train, test: test-people-blobs:test, validation: 0}\n";
    private const string TrainingSection = "training: {epochs: 12, batch_size: 32, optimizer: {name: adam, lr: 3.0e-3, weight_decay: 0}, schedule: constant}\n";

    private static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "feynman-people-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public void LabelQualityRecipeReportsPrecisionRecallAndThreeStudents()
    {
        var recipe = RecipeParser.Parse("paradigm: label-quality\nseed: 2\n" + Data + TrainingSection +
            "label_quality: {noise: 0.3, noise_seed: 4, folds: 4}\nmodel: {name: mlp, model: {input: [8], layers: [{linear: 32}, relu, {linear: 4}]}}\n");
        var dir = TempDir();
        try
        {
            var result = new ExperimentRunner(new ExperimentSettings { OutputDirectory = dir }).Run(recipe);
            Assert.Equal(["mlp-noisy", "mlp-cleaned", "mlp-true"], result.Models.Select(m => m.Name));
            var note = Assert.Single(result.Notes, n => n.Contains("precision"));
            // 30% of each class, rounded per class: about 180 of 600.
            Assert.Matches(@"1[78][0-9] were flipped", note);
            Assert.True(File.Exists(Path.Combine(dir, "report.html")));
            // Removing the flagged samples brings the student close to one trained on true labels.
            Assert.True(result.Models[1].TestAccuracy >= result.Models[2].TestAccuracy - 0.05, string.Join("; ", result.Notes));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ActiveLearningRecipeRecordsCurvesForEveryStrategy()
    {
        var recipe = RecipeParser.Parse("paradigm: active-learning\nseed: 2\n" + Data + TrainingSection +
            "active_learning: {initial: 12, batch: 12, max_labels: 36, strategies: [random, margin, coreset], seeds: [1, 2]}\n" +
            "student: {name: mlp, model: {input: [8], layers: [{linear: 32}, relu, {linear: 4}]}}\n");
        var dir = TempDir();
        try
        {
            var result = new ExperimentRunner(new ExperimentSettings { OutputDirectory = dir }).Run(recipe);
            Assert.Equal(["random", "margin", "coreset"], result.Models.Select(m => m.Name));
            Assert.All(result.Models, m => Assert.Equal([12, 24, 36], m.History.Select(h => h.Epoch)));
            Assert.Contains(result.Notes, n => n.StartsWith("Random sampling reaches"));
            var json = File.ReadAllText(Path.Combine(dir, ActiveLearningExperiment.CurvesFile));
            Assert.Contains("\"labels_to_match_random\"", json);
            Assert.Equal(6, System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("curves").GetArrayLength());
        }
        finally { Directory.Delete(dir, true); }
    }
}

using Feynman.Experiments;
using Feynman.Text;
using Feynman.Text.Distillation;
using Feynman.Tracking;
using Feynman.Training.Recipes;

namespace Feynman.Tests.Text;

/// <summary>The text-distillation paradigm: recipe parsing and a small end-to-end run through ExperimentRunner.</summary>
public sealed class TextDistillationRunTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "feynman-textkd-" + Guid.NewGuid().ToString("N"));

    public TextDistillationRunTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string WriteSyntheticJsonl()
    {
        var data = SyntheticText.Make(240, 7);
        var path = Path.Combine(dir, "messages.jsonl");
        File.WriteAllLines(path, data.Examples.Select(e =>
            System.Text.Json.JsonSerializer.Serialize(new { body = e.Text, kind = data.LabelNames[e.Label] })));
        return path;
    }

    private static string Recipe(string file) => $$$"""
        name: text-kd-test
        paradigm: text-distillation
        seed: 3
        text_distillation:
          data: {file: "{{{file}}}", text_field: body, label_field: kind, labels: [ham, spam], test: 0.25, positive: spam}
          teachers:
            - {name: tiny-transformer, kind: transformer, max_length: 16, d_model: 16, heads: 2, layers: 1, feed_forward: 32, dropout: 0,
               tokenizer: {min_count: 1}, training: {epochs: 6, batch_size: 16, lr: 0.003}}
            - {name: big-fasttext, kind: fasttext, dimension: 16, tokenizer: {min_count: 1, buckets: 4096}, training: {epochs: 6, lr: 0.05}}
          student: {name: small, kind: fasttext, dimension: 8, tokenizer: {min_count: 1, buckets: 1024}, training: {epochs: 6, batch_size: 16, lr: 0.05}}
          temperature: 2
          alpha: 0.2
          timing_calls: 20
        """;

    [Fact]
    public void RecipeRunsEndToEndAndReportsAccuracyF1ParametersAndSpeed()
    {
        var recipe = RecipeParser.Parse(Recipe(WriteSyntheticJsonl()), Path.Combine(dir, "kd.yaml"));
        var db = Path.Combine(dir, "runs.db");
        var result = new ExperimentRunner(new ExperimentSettings { OutputDirectory = Path.Combine(dir, "out"), DatabasePath = db }).Run(recipe);

        Assert.Equal(["ham", "spam"], result.ClassNames);
        Assert.Equal(["teacher", "teacher", "teacher (ensemble)", "student (labels)", "student (distilled)"], result.Models.Select(m => m.Role));
        Assert.All(result.Models, m => Assert.True(m.MicrosecondsPerSample > 0, m.Name));
        Assert.All(result.Models, m => Assert.NotEmpty(m.Reliability));
        Assert.All(result.Models.Where(m => m.Role.StartsWith("student", StringComparison.Ordinal)), m => Assert.True(m.TestAccuracy > 0.8, $"{m.Name}: {m.TestAccuracy:P1}"));
        var student = result.ByRole("student (distilled)")!;
        var small = result.Models.Single(m => m.Name == "big-fasttext");
        Assert.True(student.Parameters < small.Parameters);
        Assert.Equal(60, student.Confusion.Sum(r => r.Sum()));
        Assert.InRange(result.Metrics["small-distilled/f1_spam"], 0.8, 1.0);
        Assert.True(result.Metrics.ContainsKey("distilled_speedup_vs_teacher"));
        Assert.Contains(result.Notes, n => n.Contains("faster", StringComparison.Ordinal));

        var saved = ExperimentResult.Load(Path.Combine(dir, "out", "results.json"));
        Assert.Equal(result.Models.Count, saved.Models.Count);
        Assert.True(File.Exists(Path.Combine(dir, "out", "report.html")));
        Assert.True(File.Exists(Path.Combine(dir, "out", "small-distilled.tokenizer.json")));
        using var store = RunStore.Open(db);
        Assert.Contains(store.ListRuns(), r => r.Name == "text-kd-test");
    }

    [Fact]
    public void TheShippedSpamRecipeParses()
    {
        string path = "";
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null && path.Length == 0; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Feynman.slnx"))) path = Path.Combine(d.FullName, "recipes", "spam-kd.yaml");
        var recipe = RecipeParser.Load(path);
        Assert.Equal(TextDistillationSpec.ParadigmName, recipe.Paradigm);
        var spec = recipe.Section<TextDistillationSpec>(TextDistillationSpec.SectionKey)!;
        Assert.Equal(SpamAssassin.SourceName, spec.Data.Source);
        Assert.Equal(TextModelSpec.TransformerKind, spec.Teachers[0].Kind);
        Assert.Equal(2, spec.Teachers.Count);
        Assert.Equal(TextModelSpec.FastTextKind, spec.Student.Kind);
    }

    [Fact]
    public void RecipeErrorsNameTheKey()
    {
        var ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse("paradigm: text-distillation\ntext_distillation:\n  student: {kind: fasttext, d_model: 3}\n  teacher: {kind: transformer}\n"));
        Assert.Contains("d_model", ex.Message);
        ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse("paradigm: text-distillation\ntext_distillation:\n  student: {kind: fasttext}\n"));
        Assert.Contains("teacher", ex.Message);
        ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse("paradigm: text-distillation\ntext_distillation:\n  data: {source: nope}\n  student: {kind: fasttext}\n  teacher: {kind: transformer}\n"));
        Assert.Contains("spam-assassin", ex.Message);
    }
}

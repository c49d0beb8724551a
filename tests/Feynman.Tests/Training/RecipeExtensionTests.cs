using Feynman.Training.Recipes;

namespace Feynman.Tests.Training;

public class RecipeExtensionTests
{
    private sealed record WeakToStrongSpec(double Confidence, int Rounds);

    static RecipeExtensionTests()
    {
        // Key and paradigm names no real paradigm uses, so other tests are unaffected.
        RecipeParser.RegisterSection("test_w2s", node =>
        {
            var keys = node.Mapping(["confidence", "rounds"]);
            return new WeakToStrongSpec(keys.TryGetValue("confidence", out var c) ? c.Double(0, 1) : 0.5, keys.TryGetValue("rounds", out var r) ? r.Int(1) : 1);
        });
        RecipeParser.RegisterParadigm("test_weak_to_strong", r => r.Section<WeakToStrongSpec>("test_w2s") is null ? "needs a 'test_w2s' section." : null);
    }

    [Fact]
    public void RegisteredSectionsAndParadigmsAreParsedAndChecked()
    {
        var r = RecipeParser.Parse("""
            paradigm: test_weak_to_strong
            test_w2s: {confidence: 0.75, rounds: 3}
            teacher: {model: {input: [4], layers: [{linear: 2}]}}
            student: {model: {input: [4], layers: [{linear: 2}]}}
            """);
        Assert.Equal("test_weak_to_strong", r.Paradigm);
        Assert.Equal(new WeakToStrongSpec(0.75, 3), r.Section<WeakToStrongSpec>("test_w2s"));
        Assert.Contains("\"confidence\": 0.75", r.ToResolvedJson());
        Assert.Contains("test_weak_to_strong", RecipeParser.Paradigms);

        // The section's own keys are checked with the same line-numbered errors.
        var ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse("model: {input: [4], layers: [{linear: 2}]}\ntest_w2s: {confidense: 0.9}\n"));
        Assert.Equal(2, ex.Line);
        Assert.Contains("test_w2s: unknown key 'confidense'; allowed keys: confidence, rounds", ex.Message);
        // The paradigm's own rule.
        ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse("paradigm: test_weak_to_strong\nmodel: {input: [4], layers: [{linear: 2}]}\n"));
        Assert.Contains("paradigm test_weak_to_strong: needs a 'test_w2s' section.", ex.Message);
        Assert.Throws<ArgumentException>(() => RecipeParser.RegisterSection("teacher", _ => 0));
    }
}

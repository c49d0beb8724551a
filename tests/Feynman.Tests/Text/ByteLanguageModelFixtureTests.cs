using Feynman.Autograd;
using Feynman.Tensors;
using Feynman.Tests.Support;
using Feynman.Text.Generation;

namespace Feynman.Tests.Text;

/// <summary>
/// The generator's model against the same model built from PyTorch modules (reference/make_textgen_fixtures.py): logits,
/// the cross-entropy over windows with ignored targets, and every parameter's gradient, from the same weights.
/// </summary>
public class ByteLanguageModelFixtureTests
{
    [Fact]
    public void LogitsLossAndGradientsMatchPyTorch()
    {
        var c = Fixture.Load("text/byte_lm.json")["byte_lm"];
        var options = new LanguageModelOptions
        {
            ContextLength = c.Int("context"), EmbedDim = c.Int("embed"), Heads = c.Int("heads"), Layers = c.Int("layers"), FeedForwardDim = c.Int("ff"),
        };
        using var model = new ByteLanguageModel(["ham", "spam"], options);
        using var scope = TensorScope.Begin();
        var state = model.StateDict().Keys.ToDictionary(k => k, k => c.Tensor("init." + k));
        model.LoadStateDict(state);

        var shape = c.Shape("tokens");
        int[] tokens = [.. c.Data("tokens").Select(v => (int)v)];
        int[] targets = [.. c.Data("targets").Select(v => (int)v)];
        var logits = model.Forward(tokens, shape[0], shape[1]);
        AssertClose.Equal(c.Data("logits"), logits, 1e-4, 1e-5, "logits");
        var loss = Ops.CrossEntropy(Ops.Reshape(logits, shape[0] * shape[1], model.VocabularySize), targets);
        Assert.Equal(c.Data("loss")[0], loss.Item(), 1e-4f);
        loss.Backward();
        foreach (var (name, parameter) in model.NamedParameters())
            AssertClose.Equal(c.Data("grad." + name), parameter.Grad!, 1e-4, 1e-5, "grad." + name);
    }
}

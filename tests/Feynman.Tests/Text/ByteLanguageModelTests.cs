using Feynman.Autograd;
using Feynman.Tensors;
using Feynman.Text;
using Feynman.Text.Generation;
using Xunit.Abstractions;

namespace Feynman.Tests.Text;

/// <summary>The generator's model: causal, its cached decoder equal to the full forward pass, its training windows, and that it learns.</summary>
[Collection(TinyGeneratorFixture.Collection)]
public class ByteLanguageModelTests(TinyGeneratorFixture tiny, ITestOutputHelper output)
{
    private static ByteLanguageModel Fresh(int seed = 1) =>
        new(["neg", "pos", "other"], new LanguageModelOptions { ContextLength = 16, EmbedDim = 16, Heads = 2, Layers = 2, FeedForwardDim = 32 }, seed);

    private static float[] Logits(ByteLanguageModel model, int[] tokens, int batch)
    {
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        return model.Forward(tokens, batch, tokens.Length / batch).ToArray();
    }

    [Fact]
    public void LaterTokensDoNotChangeEarlierOutputs()
    {
        using var model = Fresh();
        int v = model.VocabularySize;
        int[] a = [ByteTokens.FirstClass + 1, ByteTokens.Bos, 'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o'];
        var b = (int[])a.Clone();
        b[6] = 'X';
        b[8] = ByteTokens.Eos;
        var la = Logits(model, a, 1);
        var lb = Logits(model, b, 1);
        // Positions 0..5 saw identical tokens: equal outputs. Position 6 onwards saw the change: different outputs.
        AssertClose(la[..(6 * v)], lb[..(6 * v)], 1e-6f);
        Assert.True(MaxDiff(la[(6 * v)..(7 * v)], lb[(6 * v)..(7 * v)]) > 1e-3f, "position 6 should see its own changed token.");
    }

    [Fact]
    public void ClassTokenConditionsEveryPosition()
    {
        using var model = Fresh();
        int[] a = [ByteTokens.FirstClass, ByteTokens.Bos, 'a', 'b'];
        int[] b = [ByteTokens.FirstClass + 2, ByteTokens.Bos, 'a', 'b'];
        var la = Logits(model, a, 1);
        var lb = Logits(model, b, 1);
        int v = model.VocabularySize;
        for (int p = 0; p < 4; p++)
            Assert.True(MaxDiff(la[(p * v)..((p + 1) * v)], lb[(p * v)..((p + 1) * v)]) > 1e-4f, $"position {p} ignores the class token.");
    }

    [Fact]
    public void CachedDecoderMatchesTheFullForwardPass()
    {
        using var model = Fresh(seed: 4);
        int v = model.VocabularySize;
        int[] first = [ByteTokens.FirstClass, ByteTokens.Bos, 'c', 'a', 't', 's', ' ', 'r', 'u', 'n'];
        int[] second = [ByteTokens.Unlabelled, ByteTokens.Bos, 'd', 'o', 'g'];
        var full1 = Logits(model, first, 1);
        var full2 = Logits(model, second, 1);
        // Two slots fed out of step: slot 1 starts three tokens later, and slot 0 is refilled with the second sequence at the end.
        var decoder = new CachedDecoder(model, slots: 2);
        var logits = new float[2 * v];
        for (int t = 0; t < first.Length; t++)
        {
            bool both = t >= 3 && t - 3 < second.Length;
            int[] slots = both ? [0, 1] : [0];
            int[] tokens = both ? [first[t], second[t - 3]] : [first[t]];
            int[] positions = both ? [t, t - 3] : [t];
            decoder.Step(slots, tokens, positions, logits);
            AssertClose(full1[(t * v)..((t + 1) * v)], logits[..v], 2e-4f);
            if (both) AssertClose(full2[((t - 3) * v)..((t - 2) * v)], logits[v..(2 * v)], 2e-4f);
        }
        for (int t = 0; t < second.Length; t++)
        {
            decoder.Step([0], [second[t]], [t], logits);
            AssertClose(full2[(t * v)..((t + 1) * v)], logits[..v], 2e-4f);
        }
    }

    [Fact]
    public void TrainingWindowsScoreEveryNextTokenAfterTheClassToken()
    {
        var text = "hey"u8.ToArray();
        var inputs = new int[6];
        var targets = new int[6];
        int scored = LanguageModelTrainer.FillWindow(text, 0, ByteTokens.FirstClass, inputs, targets);
        Assert.Equal([ByteTokens.FirstClass, ByteTokens.Bos, 'h', 'e', 'y', ByteTokens.Eos], inputs);
        Assert.Equal([-100, 'h', 'e', 'y', ByteTokens.Eos, -100], targets);
        Assert.Equal(4, scored);
        // From the middle: the class token still leads, and the window pads with the end token past the text.
        scored = LanguageModelTrainer.FillWindow(text, 2, ByteTokens.Unlabelled, inputs, targets);
        Assert.Equal([ByteTokens.Unlabelled, 'e', 'y', ByteTokens.Eos, ByteTokens.Eos, ByteTokens.Eos], inputs);
        Assert.Equal([-100, 'y', ByteTokens.Eos, -100, -100, -100], targets);
        Assert.Equal(2, scored);
    }

    [Fact]
    public void LearnsWhichAlphabetEachClassWrites()
    {
        Assert.Equal(TinyGeneratorFixture.TrainingOptions.Steps, tiny.Result.StepsDone);
        Assert.True(tiny.Result.Losses[0] > 4.0, $"an untrained model should be near ln(261) = 5.56 nats, got {tiny.Result.Losses[0]:F2}.");
        // Two equally likely letters and a length of 8-20 leave about 0.75 nats per byte to learn; random bytes cost 5.56.
        Assert.True(tiny.Result.FinalLoss < 1.2, $"final loss {tiny.Result.FinalLoss:F2} nats per byte: the tiny corpus was not learnt.");
        var sampler = new TextSampler(tiny.Model);
        var options = new SamplingOptions { Temperature = 1f, TopK = 0 };
        var ab = sampler.Sample(0, 40, options, seed: 1);
        var xy = sampler.Sample(1, 40, options, seed: 2);
        output.WriteLine($"loss {tiny.Result.Losses[0]:F2} -> {tiny.Result.FinalLoss:F2}; in alphabet: ab {TinyGeneratorFixture.InAlphabet(ab, "ab"):F3}, xy {TinyGeneratorFixture.InAlphabet(xy, "xy"):F3}; mean length {ab.Concat(xy).Average(t => t.Length):F1}");
        // Chance (random bytes) puts 2 in 257 characters in a class's alphabet.
        Assert.True(TinyGeneratorFixture.InAlphabet(ab, "ab") > 0.9, $"class ab wrote: {string.Join(" | ", ab.Take(5))}");
        Assert.True(TinyGeneratorFixture.InAlphabet(xy, "xy") > 0.9, $"class xy wrote: {string.Join(" | ", xy.Take(5))}");
        // The first letter has only the class token to go on.
        Assert.True(ab.Count(t => t.Length > 0 && "ab".Contains(t[0])) >= 36, "class ab samples do not start in their alphabet.");
        Assert.True(xy.Count(t => t.Length > 0 && "xy".Contains(t[0])) >= 36, "class xy samples do not start in their alphabet.");
        // It learnt where examples end: most samples stop at the end token, well before the 31-byte cap.
        Assert.True(ab.Concat(xy).Count(t => t.Length < 31) >= 64, $"samples run to the cap: {string.Join(" | ", ab.Take(5))}");
    }

    [Fact]
    public void RejectsLabelsOutsideItsClasses()
    {
        using var model = Fresh();
        var ex = Assert.Throws<ArgumentException>(() =>
            LanguageModelTrainer.Train(model, [new TextExample("x", "text", 3)], new LanguageModelTrainingOptions { Steps = 1 }));
        Assert.Contains("label 3", ex.Message);
        Assert.Throws<ArgumentException>(() => model.Forward([0, 1, 2], 1, 17));
    }

    private static float MaxDiff(float[] a, float[] b)
    {
        float max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        float diff = MaxDiff(expected, actual);
        Assert.True(diff <= tolerance, $"max difference {diff} exceeds {tolerance}.");
    }
}

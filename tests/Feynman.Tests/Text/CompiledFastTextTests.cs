using Feynman.Autograd;
using Feynman.Tensors;
using Feynman.Text;
using Feynman.Text.Models;

namespace Feynman.Tests.Text;

public sealed class CompiledFastTextTests
{
    private static readonly TextDataset Train = SyntheticText.Make(300, 1);
    private static readonly TextDataset Test = SyntheticText.Make(200, 2);

    private static FastTextClassifier TrainModel(TokenizerOptions tokenizer, TextDataset train, int seed = 3) =>
        new FastTextTrainer(new FastTextOptions
        {
            Tokenizer = tokenizer, Dimension = 12,
            Training = new StudentTrainingOptions { Epochs = 3, BatchSize = 16, LearningRate = 0.05 },
        }).Train(train.Examples, null, train.LabelNames, seed);

    public static TheoryData<int, int> Tokenizers => new() { { 2048, 2 }, { 1000, 2 }, { 0, 1 }, { 512, 1 } };

    [Theory]
    [MemberData(nameof(Tokenizers))]
    public void CompiledPathGivesTheModelsProbabilities(int buckets, int wordNgrams)
    {
        var model = TrainModel(new TokenizerOptions { MinCount = 2, Buckets = buckets, WordNgrams = wordNgrams, MaxN = buckets == 0 ? 0 : 5 }, Train);
        var compiled = model.Compile();
        var texts = Test.Examples.Take(40).Select(e => e.Text).Concat(["", "!", "unseen words only", "word1 WORD2 Prize zzzz word3 qqq"]).ToArray();
        float[] expected;
        using (GradMode.NoGrad()) expected = Ops.Softmax(model.Forward(texts), 1).ToArray();
        var p = new float[2];
        var q = new float[2];
        for (int i = 0; i < texts.Length; i++)
        {
            model.PredictProbabilities(texts[i], p);
            compiled.PredictProbabilities(texts[i], q);
            Assert.Equal(expected[2 * i], q[0], 1e-5f);
            Assert.Equal(expected[2 * i + 1], q[1], 1e-5f);
            Assert.Equal(p[1], q[1], 1e-5f);
        }
        Assert.Contains(expected, v => v is > 0.65f or < 0.35f); // trained, so not uniform
        Assert.Equal(model.ParameterCount, compiled.ParameterCount);
        Assert.Equal(model.LabelNames, compiled.LabelNames);
    }

    [Fact]
    public void ThreeClassesAndASnapshotOfTheWeights()
    {
        var rng = new Generator(5);
        var three = new TextDataset("three", ["a", "b", "c"], Train.Examples.Select(e => e with { Label = rng.NextInt(3) }).ToArray());
        var model = TrainModel(new TokenizerOptions { MinCount = 1, Buckets = 777 }, three);
        var compiled = model.Compile();
        var texts = Test.Examples.Take(30).Select(e => e.Text).ToArray();
        float[] expected;
        using (GradMode.NoGrad()) expected = Ops.Softmax(model.Forward(texts), 1).ToArray();
        var q = new float[3];
        for (int i = 0; i < texts.Length; i++)
        {
            compiled.PredictProbabilities(texts[i], q);
            for (int c = 0; c < 3; c++) Assert.Equal(expected[3 * i + c], q[c], 1e-5f);
        }
        // Later changes to the weights are not seen until compiled again.
        compiled.PredictProbabilities(texts[0], q);
        float before = q[0];
        model.Output.Bias!.Span[0] += 3f;
        compiled.PredictProbabilities(texts[0], q);
        Assert.Equal(before, q[0]);
        model.Compile().PredictProbabilities(texts[0], q);
        Assert.True(q[0] > before + 0.1f, $"{q[0]} against {before}");
    }

    [Fact]
    public void CompiledPredictionAllocatesNothing()
    {
        var compiled = TrainModel(new TokenizerOptions { MinCount = 2, Buckets = 2048 }, Train).Compile();
        var texts = Test.Examples.Take(50).Select(e => e.Text).ToArray();
        var p = new float[2];
        foreach (var t in texts) compiled.PredictProbabilities(t, p);
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var t in texts) compiled.PredictProbabilities(t, p);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Throws<ArgumentException>(() => compiled.PredictProbabilities("x", new float[1]));
    }
}

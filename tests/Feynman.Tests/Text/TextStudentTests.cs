using Feynman.Autograd;
using Feynman.Text;
using Feynman.Text.Models;

namespace Feynman.Tests.Text;

public sealed class TextStudentTests
{
    private static readonly TextDataset Train = SyntheticText.Make(300, 1);
    private static readonly TextDataset Test = SyntheticText.Make(200, 2);

    private static FastTextOptions SmallFastText(int epochs = 5) => new()
    {
        Tokenizer = new TokenizerOptions { MinCount = 1, Buckets = 2048 },
        Dimension = 16,
        Training = new StudentTrainingOptions { Epochs = epochs, BatchSize = 16, LearningRate = 0.05 },
    };

    private static TransformerTextOptions SmallTransformer() => new()
    {
        Tokenizer = new TokenizerOptions { MinCount = 1, Buckets = 0, MaxN = 0, WordNgrams = 1 },
        MaxLength = 16, DModel = 16, Heads = 2, Layers = 1, FeedForward = 32, Dropout = 0,
        Training = new StudentTrainingOptions { Epochs = 8, BatchSize = 16, LearningRate = 3e-3 },
    };

    [Fact]
    public void FastTextLearnsTheMarkerTask()
    {
        var model = new FastTextTrainer(SmallFastText()).Train(Train.Examples, null, Train.LabelNames, seed: 1);
        var eval = TextEvaluation.Evaluate(model, Test);
        Assert.True(eval.Accuracy > 0.9, $"accuracy {eval.Accuracy:P1}");
        Assert.True(eval.F1 > 0.9, $"F1 {eval.F1:P1}");
    }

    [Fact]
    public void TransformerLearnsTheMarkerTask()
    {
        var model = new TransformerTextTrainer(SmallTransformer()).Train(Train.Examples, null, Train.LabelNames, seed: 1);
        var eval = TextEvaluation.Evaluate(model, Test);
        Assert.True(eval.Accuracy > 0.85, $"accuracy {eval.Accuracy:P1}");
    }

    [Fact]
    public void FastPredictPathMatchesTheAutogradForward()
    {
        var model = new FastTextTrainer(SmallFastText(2)).Train(Train.Examples, null, Train.LabelNames, seed: 3);
        var texts = Test.Examples.Take(20).Select(e => e.Text).Append("").Append("unseen words only").ToArray();
        float[] expected;
        using (GradMode.NoGrad()) expected = Ops.Softmax(model.Forward(texts), 1).ToArray();
        var p = new float[2];
        for (int i = 0; i < texts.Length; i++)
        {
            model.PredictProbabilities(texts[i], p);
            Assert.Equal(expected[2 * i], p[0], 1e-5f);
            Assert.Equal(expected[2 * i + 1], p[1], 1e-5f);
        }
        Assert.Contains(expected, v => v is > 0.65f or < 0.35f); // trained, so not uniform
    }

    [Fact]
    public void TransformerPredictMatchesABatchedForwardWithPadding()
    {
        var model = new TransformerTextTrainer(SmallTransformer() with { Training = new() { Epochs = 1, BatchSize = 16, LearningRate = 3e-3 } })
            .Train(Train.Examples, null, Train.LabelNames, seed: 2);
        var texts = new[] { "word1 Prize word2 word3 word4 word5", "word7", "" };
        float[] batched;
        using (GradMode.NoGrad()) batched = Ops.Softmax(model.Forward(texts), 1).ToArray();
        var p = new float[2];
        for (int i = 0; i < texts.Length; i++)
        {
            model.PredictProbabilities(texts[i], p);
            Assert.Equal(batched[2 * i], p[0], 1e-5f);
        }
    }

    [Fact]
    public void SoftTargetsAreWhatTheStudentLearns()
    {
        // Soft targets that contradict every hard label, with alpha 0: the student must follow the targets.
        var flipped = Train.Examples.Select(e => (float[]?)(e.Label == 1 ? [0.95f, 0.05f] : [0.05f, 0.95f])).ToArray();
        var options = SmallFastText() with { Training = SmallFastText().Training with { Alpha = 0, Temperature = 2 } };
        var model = new FastTextTrainer(options).Train(Train.Examples, flipped, Train.LabelNames, seed: 1);
        var eval = TextEvaluation.Evaluate(model, Test);
        Assert.True(eval.Accuracy < 0.1, $"accuracy against the true labels {eval.Accuracy:P1}");
    }

    [Fact]
    public void UnlabelledExamplesTakeTheirLabelFromTheSoftTarget()
    {
        var unlabelled = Train.Examples.Select(e => e with { Label = TextExample.Unlabelled }).ToArray();
        var soft = Train.Examples.Select(e => (float[]?)(e.Label == 1 ? [0.1f, 0.9f] : [0.9f, 0.1f])).ToArray();
        var model = new FastTextTrainer(SmallFastText()).Train(unlabelled, soft, Train.LabelNames, seed: 1);
        Assert.True(TextEvaluation.Evaluate(model, Test).Accuracy > 0.9);
        var missing = Assert.Throws<ArgumentException>(() => new FastTextTrainer(SmallFastText()).Train(unlabelled, null, Train.LabelNames, seed: 1));
        Assert.Contains("s1-0", missing.Message);
    }

    [Fact]
    public void TrainingIsDeterministicBySeed()
    {
        var a = new FastTextTrainer(SmallFastText(1)).Train(Train.Examples, null, Train.LabelNames, seed: 5);
        var b = new FastTextTrainer(SmallFastText(1)).Train(Train.Examples, null, Train.LabelNames, seed: 5);
        Assert.Equal(a.Output.Weight.ToArray(), b.Output.Weight.ToArray());
    }
}

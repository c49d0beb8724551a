using Feynman.Autograd;
using Feynman.Data;
using Feynman.Nn;
using Feynman.Paradigms;
using Feynman.Tensors;
using Feynman.Tests.Training;
using Feynman.Training;

namespace Feynman.Tests.Paradigms;

public class MetaPseudoLabelsTests
{
    private sealed class ShiftedLabels(IDataset source, int shift) : IDataset
    {
        public string Name => source.Name + "-shifted";
        public int Count => source.Count;
        public IReadOnlyList<int> SampleShape => source.SampleShape;
        public int SampleSize => source.SampleSize;
        public IReadOnlyList<string> ClassNames => source.ClassNames;
        public int GetLabel(int index) => (source.GetLabel(index) + shift) % source.ClassNames.Count;
        public void CopyInput(int index, Span<float> destination) => source.CopyInput(index, destination);
    }

    /// <summary>A teacher trained to predict the labels shifted by <paramref name="shift"/> (0: the true labels).</summary>
    private static Module Teacher(IDataset data, int shift)
    {
        var net = new Sequential(new Linear(8, 3, rng: new Generator(5)));
        new Trainer(new TrainingOptions { Epochs = 30, BatchSize = 30, LearningRate = 0.1, Schedule = "constant" })
            .Fit("teacher", net, new SupervisedLesson(), shift == 0 ? data : new ShiftedLabels(data, shift));
        return net;
    }

    private static float MeanLogLikelihood(Module teacher, Batch batch, int[] labels)
    {
        using var _ = GradMode.NoGrad();
        return -Ops.CrossEntropy(teacher.Forward(batch.Inputs), labels).Item();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void TeachingThatHelpsIsReinforcedAndTeachingThatHurtsIsWeakened(int shift)
    {
        var data = SyntheticData.Blobs(60, seed: 7);
        var teacher = Teacher(data, shift);
        var student = new Sequential(new Linear(8, 3, rng: new Generator(6)));
        var mpl = new MetaPseudoLabels(teacher, student, new MetaPseudoLabelsOptions
        {
            SupervisedWeight = 0, Momentum = 0, WeightDecay = 0, StudentLearningRate = 0.1, TeacherLearningRate = 0.5,
        });
        // The unlabelled batch holds the labelled batch's own inputs: pseudo-labels equal to the true labels
        // must lower the student's labelled loss (reward > 0), shifted ones raise it (reward < 0).
        var batch = new DataLoader(data, 60).Epoch(0).First();
        int[] pseudo;
        using (GradMode.NoGrad()) pseudo = WeakLabels.Argmax(teacher.Forward(batch.Inputs).ToArray(), 3);
        int agree = pseudo.Where((p, i) => p == (batch.Labels[i] + shift) % 3).Count();
        Assert.True(agree >= 55, $"the teacher should predict the (shifted) labels; it agrees on {agree} of 60");
        float before = MeanLogLikelihood(teacher, batch, pseudo);

        var step = mpl.Step(batch, batch);
        float after = MeanLogLikelihood(teacher, batch, pseudo);

        Assert.Equal(step.LossBefore - step.LossAfter, step.Reward, 6);
        Assert.Equal(0f, step.Baseline);
        if (shift == 0)
        {
            Assert.True(step.Reward > 0, $"reward {step.Reward}");
            Assert.True(after > before, $"log-likelihood of the pseudo-labels {before} -> {after} should rise");
        }
        else
        {
            Assert.True(step.Reward < 0, $"reward {step.Reward}");
            Assert.True(after < before, $"log-likelihood of the pseudo-labels {before} -> {after} should fall");
        }
        Assert.Equal(0.1f * step.Reward, mpl.Baseline, 6);
    }

    [Fact]
    public void RunTeachesAStudentThatBeatsChanceAndRecordsHistory()
    {
        var labelled = SyntheticData.Blobs(30, seed: 8, sampleSeed: 1);
        var pool = SyntheticData.Blobs(300, seed: 8, sampleSeed: 2);
        var test = SyntheticData.Blobs(300, seed: 8, sampleSeed: 3);
        var mpl = new MetaPseudoLabels(new Sequential(new Linear(8, 3, rng: new Generator(1))), new Sequential(new Linear(8, 3, rng: new Generator(2))),
            new MetaPseudoLabelsOptions { Steps = 60, LabelledBatchSize = 10, UnlabelledBatchSize = 50, EvaluateEvery = 20 });
        var result = mpl.Run(labelled, pool, test);
        Assert.Equal([20, 40, 60], result.History.Select(h => h.Step));
        // The student never sees a true label: what it knows came through the teacher's pseudo-labels.
        Assert.True(result.StudentAccuracy > 0.8, $"student {result.StudentAccuracy:P1}, teacher {result.TeacherAccuracy:P1}");
        Assert.False(result.Interrupted);
    }
}

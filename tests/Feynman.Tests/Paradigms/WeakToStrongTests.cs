using Feynman.Autograd;
using Feynman.Data;
using Feynman.Nn;
using Feynman.Paradigms;
using Feynman.Tensors;
using Feynman.Tests.Support;
using Feynman.Tests.Training;
using Feynman.Training;

namespace Feynman.Tests.Paradigms;

public class WeakToStrongTests
{
    private const int Classes = 3;

    private static Batch FirstBatch(IDataset data, int size) => new DataLoader(data, size).Epoch(0).First();

    private static (Batch Batch, ModelTeacher Weak, float[] WeakProbs) Setup(int n, ulong seed)
    {
        var data = SyntheticData.Blobs(n, seed: seed);
        var batch = FirstBatch(data, n);
        var weakNet = new Sequential(new Linear(8, Classes, rng: new Generator(seed + 10)));
        var weak = new ModelTeacher("weak", weakNet, Classes);
        var w = new float[n * Classes];
        weak.SoftTargets(batch, 1f, w);
        return (batch, weak, w);
    }

    private static float[] Softmax(ReadOnlySpan<float> z, float t = 1f)
    {
        var p = new float[z.Length];
        SoftMax.RowsAtTemperature(z, Classes, t, p);
        return p;
    }

    [Fact]
    public void WarmupRisesLinearlyToAlphaOverTheFirstFifthThenStays()
    {
        Assert.Equal(0f, ConfidenceLesson.ScheduledAlpha(0.5f, 0.2f, 0, 100));
        Assert.Equal(0.25f, ConfidenceLesson.ScheduledAlpha(0.5f, 0.2f, 10, 100), 6);
        Assert.Equal(0.5f, ConfidenceLesson.ScheduledAlpha(0.5f, 0.2f, 20, 100), 6);
        // No jump after the warm-up: the value just before and after 20% differ by one step's increment.
        Assert.Equal(0.5f * 19 / 20, ConfidenceLesson.ScheduledAlpha(0.5f, 0.2f, 19, 100), 6);
        Assert.Equal(0.5f, ConfidenceLesson.ScheduledAlpha(0.5f, 0.2f, 99, 100), 6);
        Assert.Equal(0.75f, ConfidenceLesson.ScheduledAlpha(0.75f, 0f, 0, 100));
    }

    private sealed class RecordingLesson : IScheduledLesson
    {
        public List<(int Step, int Total)> Calls { get; } = [];

        public string Name => "recording";

        public void OnStep(int step, int totalSteps) => Calls.Add((step, totalSteps));

        public Tensor Loss(Tensor studentLogits, Batch batch) => Ops.CrossEntropy(studentLogits, batch.Labels);
    }

    [Fact]
    public void TrainerReportsEveryGlobalStepToAScheduledLesson()
    {
        var data = SyntheticData.Blobs(50, seed: 2);
        var lesson = new RecordingLesson();
        var model = new Sequential(new Linear(8, Classes, rng: new Generator(1)));
        new Trainer(new TrainingOptions { Epochs = 3, BatchSize = 16, Schedule = "constant" }).Fit("m", model, lesson, data);
        // 50 samples in batches of 16: 4 batches per epoch, 12 steps.
        Assert.Equal(Enumerable.Range(0, 12).Select(s => (s, 12)), lesson.Calls);
    }

    [Fact]
    public void HardeningMatchesBurnsQuantileRuleForTwoClasses()
    {
        var rng = new Generator(3);
        int n = 10;
        var student = new float[n * 2];
        for (int i = 0; i < n; i++) { float p0 = rng.NextFloat(); student[2 * i] = p0; student[2 * i + 1] = 1 - p0; }
        // Weak labels: 3 of 10 say class 1, so mean_weak[1] = 0.3.
        var weak = new float[n * 2];
        for (int i = 0; i < n; i++) { weak[2 * i] = i < 7 ? 1 : 0; weak[2 * i + 1] = i < 7 ? 0 : 1; }
        // Burns et al.: threshold = quantile(p0, mean_weak[1]) (linear interpolation); class 0 iff p0 >= threshold.
        var sorted = Enumerable.Range(0, n).Select(i => student[2 * i]).Order().ToArray();
        double pos = 0.3 * (n - 1);
        int lo = (int)Math.Floor(pos);
        double threshold = sorted[lo] + (pos - lo) * (sorted[lo + 1] - sorted[lo]);
        var expected = Enumerable.Range(0, n).Select(i => student[2 * i] >= threshold ? 0 : 1).ToArray();

        var hard = WeakLabels.HardenToWeakBalance(student, weak, 2);
        Assert.Equal(expected, hard);
        Assert.Equal(3, hard.Count(h => h == 1));
    }

    [Fact]
    public void HardeningGivesEachClassItsWeakShareEvenAgainstTheStudentsPreference()
    {
        // The student prefers class 0 everywhere; the weak labels are balanced over three classes.
        int n = 6;
        var student = new float[n * 3];
        for (int i = 0; i < n; i++) { student[3 * i] = 0.6f + 0.01f * i; student[3 * i + 1] = 0.1f + 0.04f * i; student[3 * i + 2] = 0.3f - 0.04f * i; }
        var weak = new float[n * 3];
        for (int i = 0; i < n; i++) weak[3 * i + i % 3] = 1;
        var hard = WeakLabels.HardenToWeakBalance(student, weak, 3);
        Assert.Equal(2, hard.Count(h => h == 0));
        Assert.Equal(2, hard.Count(h => h == 1));
        Assert.Equal(2, hard.Count(h => h == 2));
        // Class 0 goes to the two most confident in it (the last two); of the rest, class 1 to those that
        // favour it most (samples 2 and 3), class 2 to the first two.
        Assert.Equal([2, 2, 1, 1, 0, 0], hard);
        Assert.Equal([2, 1, 1], WeakLabels.ClassQuota([0.5f, 0.3f, 0.2f, 0.5f, 0.3f, 0.2f, 0.5f, 0.3f, 0.2f, 0.5f, 0.3f, 0.2f], 3, 4));
    }

    [Fact]
    public void NaiveLessonsAreCrossEntropyAgainstWeakProbabilitiesAndLabels()
    {
        var (batch, weak, w) = Setup(12, 4);
        var z = Tensor.Randn(new Generator(5), 12, Classes).RequireGrad();
        var soft = new WeakSoftLabelLesson(weak).Loss(z, batch).Item();
        var hardLoss = new WeakHardLabelLesson(weak).Loss(z, batch).Item();
        var p = Softmax(z.ToArray());
        double expSoft = 0, expHard = 0;
        for (int i = 0; i < 12; i++)
        {
            for (int c = 0; c < Classes; c++) expSoft -= w[i * Classes + c] * Math.Log(p[i * Classes + c]);
            expHard -= Math.Log(p[i * Classes + System.Numerics.Tensors.TensorPrimitives.IndexOfMax(w.AsSpan(i * Classes, Classes))]);
        }
        Assert.Equal(expSoft / 12, soft, 4);
        Assert.Equal(expHard / 12, hardLoss, 4);
        var r = GradCheck.Run(t => new WeakSoftLabelLesson(weak).Loss(t[0], batch), [z]);
        Assert.True(r.MaxError <= 1, r.ToString());
    }

    [Theory]
    [InlineData(0.4f, 5, 100)]
    [InlineData(0.75f, 60, 100)]
    public void ConfidenceLossAndGradientEqualTheFormula(float alpha, int step, int total)
    {
        int n = 12;
        var (batch, weak, w) = Setup(n, 6);
        var z = Tensor.Randn(new Generator(7), n, Classes).RequireGrad();
        var lesson = new ConfidenceLesson(weak, alpha);
        lesson.OnStep(step, total);
        float a = ConfidenceLesson.ScheduledAlpha(alpha, 0.2f, step, total);
        Assert.Equal(a, lesson.CurrentAlpha);
        var loss = lesson.Loss(z, batch);
        loss.Backward();
        var grad = z.Grad!.ToArray();

        var zs = z.ToArray();
        var p = Softmax(zs);
        var hard = WeakLabels.HardenToWeakBalance(p, w, Classes);
        double expected = 0;
        var expectedGrad = new float[zs.Length];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < Classes; c++)
            {
                int k = i * Classes + c;
                float target = (1 - a) * w[k] + (hard[i] == c ? a : 0);
                expected -= target * Math.Log(p[k]);
                expectedGrad[k] = (p[k] - target) / n; // targets sum to 1 per row
            }
        Assert.Equal(expected / n, loss.Item(), 4);
        AssertClose.Equal(expectedGrad, grad, 1e-4, 1e-6, "confidence gradient");
        var r = GradCheck.Run(t => lesson.Loss(t[0], batch), [z], eps: 1e-3f);
        Assert.True(r.MaxError <= 1, r.ToString());
    }

    private sealed class ScaleTransform : ITransform
    {
        public void Apply(Span<float> sample, IReadOnlyList<int> shape, Generator rng)
        {
            float f = 0.5f + rng.NextFloat();
            for (int i = 0; i < sample.Length; i++) sample[i] *= f;
        }
    }

    [Fact]
    public void AugConfTeachesTheHardenedCleanPredictionOnAnAugmentedView()
    {
        int n = 9;
        var (batch, weak, w) = Setup(n, 8);
        var student = new Sequential(new Linear(8, Classes, rng: new Generator(9)));
        var lesson = new AugmentedConfidenceLesson(weak, student, [new ScaleTransform()], 0.5f, warmupFraction: 0, seed: 42);
        lesson.OnStep(0, 10);
        var logits = student.Forward(batch.Inputs);
        var loss = lesson.Loss(logits, batch).Item();

        var x = batch.Inputs.ToArray();
        var viewRng = new Generator(42);
        var t = new ScaleTransform();
        for (int i = 0; i < n; i++) t.Apply(x.AsSpan(i * 8, 8), [8], viewRng);
        float expected;
        using (GradMode.NoGrad())
        {
            var clean = student.Forward(batch.Inputs);
            var hard = WeakLabels.HardenToWeakBalance(Softmax(clean.ToArray()), w, Classes);
            var view = student.Forward(Tensor.FromArray(x, n, 8));
            expected = 0.5f * Ops.CrossEntropy(clean, Tensor.FromArray(w, n, Classes)).Item() + 0.5f * Ops.CrossEntropy(view, hard).Item();
        }
        Assert.Equal(expected, loss, 4);
    }

    [Theory]
    [InlineData(1f, 1f)]
    [InlineData(3f, 0.5f)]
    public void AdaptConfLossAndGradientEqualTheFormulaWithBetaDetached(float temperature, float tau)
    {
        int n = 10;
        var (batch, weak, _) = Setup(n, 11);
        var z = Ops.Mul(Tensor.Randn(new Generator(12), n, Classes), 2f).Detach().RequireGrad();
        var lesson = new AdaptiveConfidenceLesson(weak, temperature, tau);
        var loss = lesson.Loss(z, batch);
        loss.Backward();
        var grad = z.Grad!.ToArray();

        var zs = z.ToArray();
        var wT = new float[zs.Length];
        weak.SoftTargets(batch, temperature, wT);
        var p = Softmax(zs);
        var pT = Softmax(zs, temperature);
        double expected = 0;
        var expectedGrad = new float[zs.Length];
        for (int i = 0; i < n; i++)
        {
            int self = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(zs.AsSpan(i * Classes, Classes));
            int teach = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(wT.AsSpan(i * Classes, Classes));
            double ceSelf = -Math.Log(p[i * Classes + self]), ceTeach = -Math.Log(p[i * Classes + teach]);
            double beta = Math.Exp(ceSelf / tau) / (Math.Exp(ceSelf / tau) + Math.Exp(ceTeach / tau));
            Assert.Equal(beta, lesson.LastBeta[i], 5);
            double kl = 0;
            for (int c = 0; c < Classes; c++) { int k = i * Classes + c; if (wT[k] > 0) kl += wT[k] * Math.Log(wT[k] / pT[k]); }
            expected += (1 - beta) * temperature * temperature * kl + beta * ceSelf;
            for (int c = 0; c < Classes; c++)
            {
                int k = i * Classes + c;
                expectedGrad[k] = (float)(((1 - beta) * temperature * (pT[k] - wT[k]) + beta * (p[k] - (c == self ? 1 : 0))) / n);
            }
        }
        Assert.Equal(expected / n, loss.Item(), 4);
        AssertClose.Equal(expectedGrad, grad, 1e-3, 1e-5, "adaptconf gradient");
    }

    [Fact]
    public void AdaptConfBetaIsHalfWhenStudentAndTeacherAgree()
    {
        Assert.Equal(0.5f, AdaptiveConfidenceLesson.Beta(0.3f, 0.3f, 1f));
        // ce_self ≤ ce_teach always (argmax z_s has the highest probability), so β ≤ 1/2, and β = σ(−gap/τ)
        // shrinks as the teacher's label costs the student more: the weight moves to the teacher's KL term.
        Assert.True(AdaptiveConfidenceLesson.Beta(0.5f, 2f, 1f) < AdaptiveConfidenceLesson.Beta(0.5f, 1f, 1f));
        Assert.Equal(1 / (1 + Math.Exp(1.5 / 0.5)), AdaptiveConfidenceLesson.Beta(0.5f, 2f, 0.5f), 5);
    }

    [Fact]
    public void PerformanceGapRecoveredIsTheShareOfTheGapClosed()
    {
        Assert.Equal(0.5, PerformanceGap.Recovered(0.6, 0.8, 0.7), 10);
        Assert.Equal(0, PerformanceGap.Recovered(0.6, 0.8, 0.6), 10);
        Assert.Equal(1, PerformanceGap.Recovered(0.6, 0.8, 0.8), 10);
        Assert.True(double.IsNaN(PerformanceGap.Recovered(0.8, 0.8, 0.9)));
    }
}

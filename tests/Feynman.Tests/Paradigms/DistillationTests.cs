using Feynman.Autograd;
using Feynman.Data;
using Feynman.Nn;
using Feynman.Paradigms;
using Feynman.Tensors;
using Feynman.Tests.Support;
using Feynman.Tests.Training;

namespace Feynman.Tests.Paradigms;

public class DistillationTests
{
    private static Batch FirstBatch(IDataset data, int size)
    {
        var loader = new DataLoader(data, size);
        return loader.Epoch(0).First();
    }

    [Theory]
    [InlineData(4f, 0.3f)]
    [InlineData(1f, 0f)]
    [InlineData(8f, 1f)]
    public void LossAndGradientEqualHintonsFormula(float t, float alpha)
    {
        var data = SyntheticData.Blobs(16, seed: 1);
        var batch = FirstBatch(data, 16);
        var rng = new Generator(1);
        var teacherNet = new Sequential(new Linear(8, 3, rng: rng));
        var teacher = new ModelTeacher("t", teacherNet, 3);
        var logits = Tensor.Randn(rng, 16, 3).RequireGrad();

        var lesson = new DistillationLesson(teacher, t, alpha);
        var loss = lesson.Loss(logits, batch);
        loss.Backward();
        var grad = logits.Grad!.ToArray();
        logits.Grad = null;

        Tensor teacherLogits;
        using (GradMode.NoGrad()) teacherLogits = teacherNet.Forward(batch.Inputs);
        var expected = Ops.Add(
            Ops.Mul(Ops.CrossEntropy(logits, batch.Labels), alpha),
            Ops.Mul(Ops.KlDivLogits(logits, teacherLogits, t), t * t * (1 - alpha)));
        expected.Backward();
        Assert.Equal(expected.Item(), loss.Item(), 4);
        AssertClose.Equal(logits.Grad!.ToArray(), grad, 1e-4, 1e-6, "gradient");
    }

    [Fact]
    public void EnsembleAveragesProbabilitiesAndCacheMatchesLiveTeacher()
    {
        var data = SyntheticData.Blobs(40, seed: 2);
        var rng = new Generator(2);
        var a = new ModelTeacher("a", new Sequential(new Linear(8, 3, rng: rng)), 3);
        var b = new ModelTeacher("b", new Sequential(new Linear(8, 3, rng: rng)), 3);
        var ensemble = new EnsembleTeacher("ab", [a, b]);
        var batch = FirstBatch(data, 40);
        var pa = new float[120];
        var pb = new float[120];
        var pe = new float[120];
        a.SoftTargets(batch, 2f, pa);
        b.SoftTargets(batch, 2f, pb);
        ensemble.SoftTargets(batch, 2f, pe);
        for (int i = 0; i < 120; i++) Assert.Equal((pa[i] + pb[i]) / 2, pe[i], 5);
        for (int r = 0; r < 40; r++) Assert.Equal(1f, pe.AsSpan(r * 3, 3).ToArray().Sum(), 4);

        var cached = CachedTeacher.Build(ensemble, data, 2f, batchSize: 7);
        var shuffled = new DataLoader(data, 13, shuffle: true, seed: 3).Epoch(0).First();
        var live = new float[13 * 3];
        var fromCache = new float[13 * 3];
        ensemble.SoftTargets(shuffled, 2f, live);
        cached.SoftTargets(shuffled, 2f, fromCache);
        AssertClose.Equal(live, fromCache, 1e-6, 1e-7, "cached targets");
        Assert.Throws<InvalidOperationException>(() => cached.SoftTargets(shuffled, 3f, fromCache));
    }
}

public class DistillationThroughALayerTests
{
    [Theory]
    [InlineData(4f, 0.1f, 32, 8, 3)]
    [InlineData(2f, 0.5f, 32, 8, 3)]
    [InlineData(4f, 0.1f, 128, 64, 10)] // a training-sized batch: kernels split across threads
    public void GradientReachesTheWeightsFromBothTermsWhenLogitsComeFromALayer(float t, float alpha, int n, int features, int classes)
    {
        // In training the logits are not a leaf: both the hard and the soft term must reach the layer's weights.
        var data = SyntheticData.Blobs(n, features, classes, seed: 3);
        var batch = new DataLoader(data, n).Epoch(0).First();
        var rng = new Generator(3);
        var teacher = new ModelTeacher("t", new Sequential(new Linear(features, classes, rng: rng)), classes);
        var student = new Linear(features, classes, rng: rng);

        var lesson = new DistillationLesson(teacher, t, alpha);
        lesson.Loss(student.Forward(batch.Inputs), batch).Backward();
        var grad = student.Weight.Grad!.ToArray();
        student.Weight.Grad = null;
        student.Bias!.Grad = null;

        var p = new float[n * classes];
        teacher.SoftTargets(batch, t, p);
        double[] expected = new double[classes * features];
        var w = student.Weight.ToArray();
        var b = student.Bias!.ToArray();
        var x = batch.Inputs.ToArray();
        for (int i = 0; i < n; i++)
        {
            var z = new double[classes];
            for (int c = 0; c < classes; c++)
            {
                z[c] = b[c];
                for (int f = 0; f < features; f++) z[c] += w[c * features + f] * x[i * features + f];
            }
            double[] q = Softmax(z, 1), qt = Softmax(z, t);
            for (int c = 0; c < classes; c++)
            {
                // d/dz of α·CE(z, y) + (1 − α)·T²·KL(p ‖ softmax(z/T)), averaged over the batch.
                double dz = (alpha * (q[c] - (batch.Labels[i] == c ? 1 : 0)) + (1 - alpha) * t * (qt[c] - p[i * classes + c])) / n;
                for (int f = 0; f < features; f++) expected[c * features + f] += dz * x[i * features + f];
            }
        }
        AssertClose.Equal(expected.Select(v => (float)v).ToArray(), grad, 1e-4, 1e-6, "weight gradient");
    }

    private static double[] Softmax(double[] z, double t)
    {
        double max = z.Max();
        var e = z.Select(v => Math.Exp((v - max) / t)).ToArray();
        double s = e.Sum();
        return e.Select(v => v / s).ToArray();
    }
}

using Feynman.Autograd;
using Feynman.Data;
using Feynman.Tensors;

namespace Feynman.Paradigms;

/// <summary>
/// AdaptConf (Guo et al. 2024, "Vision superalignment"): each sample weighs imitation of the weak teacher
/// against the student's own confidence by how well each explains the student's logits z_s:
/// β = exp(ce_self/τ) / (exp(ce_self/τ) + exp(ce_teach/τ)), ce_self = CE(z_s, argmax z_s),
/// ce_teach = CE(z_s, argmax z_w), β detached;
/// L = mean[(1 − β)·T²·KL(σ(z_w/T) ‖ σ(z_s/T)) + β·CE(z_s, argmax z_s)].
/// </summary>
public sealed class AdaptiveConfidenceLesson : ILesson
{
    private float[] buffer = [];

    public AdaptiveConfidenceLesson(ITeacher weak, float temperature = 1f, float tau = 1f)
    {
        if (temperature <= 0) throw new ArgumentOutOfRangeException(nameof(temperature), $"temperature {temperature} must be positive.");
        if (tau <= 0) throw new ArgumentOutOfRangeException(nameof(tau), $"tau {tau} must be positive.");
        Weak = weak;
        Temperature = temperature;
        Tau = tau;
    }

    public string Name => $"adaptive confidence(T={Temperature}, tau={Tau})";

    public ITeacher Weak { get; }

    public float Temperature { get; }

    public float Tau { get; }

    /// <summary>β of each sample of the last batch (for inspection and tests).</summary>
    public float[] LastBeta { get; private set; } = [];

    /// <summary>β = σ((ce_self − ce_teach)/τ), the stated ratio of exponentials written without overflow.</summary>
    public static float Beta(float ceSelf, float ceTeach, float tau) => 1f / (1f + MathF.Exp((ceTeach - ceSelf) / tau));

    public Tensor Loss(Tensor studentLogits, Batch batch)
    {
        int classes = Weak.Classes, n = batch.Size;
        float t = Temperature;
        var logits = studentLogits.Contiguous();
        var z = logits.ReadOnlySpan;
        var selfLabels = WeakLabels.Argmax(z, classes);
        // argmax z_w = argmax σ(z_w/T) for any T > 0.
        // σ(z_w/T) from σ(z_w): p_c^(1/T) renormalised, so a teacher cached at T = 1 serves every T.
        var wT = (float[])WeakLabels.Probabilities(Weak, batch, ref buffer).Clone();
        if (t != 1f) Sharpen(wT, classes, t);
        var teachLabels = WeakLabels.Argmax(wT, classes);

        var beta = new float[n];
        var keep = new float[n];
        var self = new float[n];
        for (int i = 0; i < n; i++)
        {
            var row = z.Slice(i * classes, classes);
            float lse = LogSumExp(row);
            float ceSelf = lse - row[selfLabels[i]], ceTeach = lse - row[teachLabels[i]];
            beta[i] = Beta(ceSelf, ceTeach, Tau);
            keep[i] = (1 - beta[i]) * t * t;
            self[i] = beta[i];
        }
        LastBeta = beta;

        // KL per row = soft CE(z_s/T, σ(z_w/T)) − H(σ(z_w/T)); the entropy is a constant.
        var scaled = t == 1f ? logits : Ops.Mul(logits, 1f / t);
        var softCe = Ops.CrossEntropy(scaled, Tensor.From(wT, n, classes), reduction: Reduction.None);
        var entropy = new float[n];
        for (int i = 0; i < n; i++)
        {
            double h = 0;
            for (int c = 0; c < classes; c++) { float p = wT[i * classes + c]; if (p > 0) h -= p * Math.Log(p); }
            entropy[i] = (float)h;
        }
        var kl = Ops.Sub(softCe, Tensor.FromArray(entropy, n));
        var ceSelfRows = Ops.CrossEntropy(logits, selfLabels, reduction: Reduction.None);
        var perSample = Ops.Add(Ops.Mul(kl, Tensor.FromArray(keep, n)), Ops.Mul(ceSelfRows, Tensor.FromArray(self, n)));
        return Ops.Mean(perSample);
    }

    private static void Sharpen(Span<float> p, int classes, float t)
    {
        for (int r = 0; r < p.Length / classes; r++)
        {
            var row = p.Slice(r * classes, classes);
            double sum = 0;
            for (int c = 0; c < classes; c++) { row[c] = row[c] > 0 ? MathF.Pow(row[c], 1f / t) : 0; sum += row[c]; }
            TensorPrimitives.Multiply(row, (float)(1 / sum), row);
        }
    }

    private static float LogSumExp(ReadOnlySpan<float> row)
    {
        float max = TensorPrimitives.Max(row);
        double s = 0;
        foreach (var v in row) s += Math.Exp(v - max);
        return max + (float)Math.Log(s);
    }
}

using Feynman.Autograd;
using Feynman.Data;
using Feynman.Tensors;

namespace Feynman.Paradigms;

/// <summary>
/// The auxiliary confidence loss of Burns et al. (2023): L = (1 − α_t)·CE(f, f_w) + α_t·CE(f, hardened f),
/// where hardened f is the student's own prediction made hard with the batch's class balance matched to the
/// weak labels' (<see cref="WeakLabels.HardenToWeakBalance"/>), and α_t rises linearly from 0 to α over the
/// first <see cref="WarmupFraction"/> of the training steps, then stays at α. (Burns et al.'s code ramps
/// only to α·warmup_frac and then jumps to α; this follows the paper's description instead.)
/// The hardened targets are constants: no gradient flows through them.
/// </summary>
public sealed class ConfidenceLesson : IScheduledLesson
{
    private float[] buffer = [];

    public ConfidenceLesson(ITeacher weak, float alpha, float warmupFraction = 0.2f)
    {
        if (alpha is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(alpha), $"alpha {alpha} must be in [0, 1].");
        if (warmupFraction is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(warmupFraction), $"warm-up fraction {warmupFraction} must be in [0, 1].");
        Weak = weak;
        Alpha = alpha;
        WarmupFraction = warmupFraction;
        CurrentAlpha = warmupFraction > 0 ? 0 : alpha;
    }

    public string Name => $"confidence(alpha={Alpha}, warmup={WarmupFraction})";

    public ITeacher Weak { get; }

    /// <summary>The final weight of the self-confidence term.</summary>
    public float Alpha { get; }

    public float WarmupFraction { get; }

    /// <summary>α_t at the current step.</summary>
    public float CurrentAlpha { get; private set; }

    /// <summary>α·min(1, (step/total)/warm-up fraction).</summary>
    public static float ScheduledAlpha(float alpha, float warmupFraction, int step, int totalSteps)
    {
        if (totalSteps <= 0) throw new ArgumentOutOfRangeException(nameof(totalSteps), $"total steps {totalSteps} must be positive.");
        if (warmupFraction <= 0) return alpha;
        double progress = (double)step / totalSteps;
        return (float)(alpha * Math.Min(1.0, progress / warmupFraction));
    }

    public void OnStep(int step, int totalSteps) => CurrentAlpha = ScheduledAlpha(Alpha, WarmupFraction, step, totalSteps);

    public Tensor Loss(Tensor studentLogits, Batch batch) => Loss(studentLogits, studentLogits, batch);

    /// <summary>
    /// The loss with the weak-label term on <paramref name="logits"/> and the confidence term on
    /// <paramref name="confidenceLogits"/> (another view of the same samples, for AugConf); the hardened
    /// labels come from <paramref name="logits"/>.
    /// </summary>
    internal Tensor Loss(Tensor logits, Tensor confidenceLogits, Batch batch)
    {
        int classes = Weak.Classes;
        var w = WeakLabels.Probabilities(Weak, batch, ref buffer);
        float a = CurrentAlpha;
        var studentProbs = new float[batch.Size * classes];
        SoftMax.RowsAtTemperature(logits.Contiguous().ReadOnlySpan, classes, 1f, studentProbs);
        var hard = WeakLabels.HardenToWeakBalance(studentProbs, w, classes);
        if (ReferenceEquals(logits, confidenceLogits))
        {
            // CE is linear in its target: one soft CE against (1 − α)·f_w + α·onehot(hard).
            var target = new float[w.Length];
            for (int i = 0; i < batch.Size; i++)
                for (int c = 0; c < classes; c++)
                    target[i * classes + c] = (1 - a) * w[i * classes + c] + (hard[i] == c ? a : 0f);
            return Ops.CrossEntropy(logits, Tensor.FromArray(target, batch.Size, classes));
        }
        var weakTerm = Ops.Mul(Ops.CrossEntropy(logits, Tensor.From(w, batch.Size, classes)), 1 - a);
        return a == 0 ? weakTerm : Ops.Add(weakTerm, Ops.Mul(Ops.CrossEntropy(confidenceLogits, hard), a));
    }
}

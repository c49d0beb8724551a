using Feynman.Autograd;
using Feynman.Data;
using Feynman.Tensors;

namespace Feynman.Paradigms;

/// <summary>
/// Knowledge distillation (Hinton, Vinyals, Dean 2015):
/// L = α·CE(student, y) + (1 − α)·T²·KL(softmax(teacher/T) ‖ softmax(student/T)).
/// The KL term is computed as soft-target cross-entropy minus the targets' entropy (a constant), which
/// has the same gradient and lets an ensemble's averaged probabilities serve as targets.
/// </summary>
public sealed class DistillationLesson : ILesson
{
    private float[] targets = [];

    public DistillationLesson(ITeacher teacher, float temperature, float alpha)
    {
        if (temperature <= 0) throw new ArgumentOutOfRangeException(nameof(temperature), $"temperature {temperature} must be positive.");
        if (alpha is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(alpha), $"alpha {alpha} must be in [0, 1].");
        Teacher = teacher;
        Temperature = temperature;
        Alpha = alpha;
    }

    public string Name => $"distillation(T={Temperature}, alpha={Alpha})";

    public ITeacher Teacher { get; }

    public float Temperature { get; }

    public float Alpha { get; }

    public Tensor Loss(Tensor studentLogits, Batch batch)
    {
        int classes = Teacher.Classes;
        int n = batch.Size * classes;
        if (targets.Length != n) targets = new float[n];
        Teacher.SoftTargets(batch, Temperature, targets);
        var soft = Tensor.FromArray(targets, batch.Size, classes);

        float t = Temperature;
        var scaled = t == 1f ? studentLogits : Ops.Mul(studentLogits, 1f / t);
        var softCe = Ops.CrossEntropy(scaled, soft);
        var kl = Ops.Sub(softCe, MeanEntropy(targets, classes));
        var distill = Ops.Mul(kl, t * t * (1 - Alpha));
        if (Alpha == 0f) return distill;
        var hard = Ops.Mul(Ops.CrossEntropy(studentLogits, batch.Labels), Alpha);
        return Ops.Add(hard, distill);
    }

    private static float MeanEntropy(ReadOnlySpan<float> p, int classes)
    {
        double h = 0;
        foreach (var v in p) if (v > 0) h -= v * Math.Log(v);
        return (float)(h / (p.Length / classes));
    }
}

using Feynman.Data;
using Feynman.Nn;
using Feynman.Tensors;

namespace Feynman.Paradigms;

/// <summary>
/// AugConf: the confidence loss with its self-confidence term on an augmented view. The weak-label term
/// is CE(f(x), f_w(x)); the hardened labels come from the student's prediction on x and are taught on a
/// freshly augmented x' (the student's <see cref="Student"/> is run a second time on x'), so the student
/// must be confident consistently across views: L = (1 − α_t)·CE(f(x), f_w) + α_t·CE(f(x'), hardened f(x)).
/// </summary>
public sealed class AugmentedConfidenceLesson : IScheduledLesson
{
    private readonly ConfidenceLesson confidence;
    private readonly Generator rng;

    public AugmentedConfidenceLesson(ITeacher weak, Module student, IReadOnlyList<ITransform> transforms, float alpha, float warmupFraction = 0.2f, ulong seed = 1)
    {
        if (transforms.Count == 0) throw new ArgumentException("AugConf needs at least one augmentation.", nameof(transforms));
        confidence = new ConfidenceLesson(weak, alpha, warmupFraction);
        Student = student;
        Transforms = transforms;
        rng = new Generator(seed);
    }

    public string Name => $"augmented confidence(alpha={confidence.Alpha}, warmup={confidence.WarmupFraction})";

    public Module Student { get; }

    public IReadOnlyList<ITransform> Transforms { get; }

    public float CurrentAlpha => confidence.CurrentAlpha;

    public void OnStep(int step, int totalSteps) => confidence.OnStep(step, totalSteps);

    public Tensor Loss(Tensor studentLogits, Batch batch)
    {
        var view = Augment(batch.Inputs);
        var viewLogits = Student.Forward(view);
        return confidence.Loss(studentLogits, viewLogits, batch);
    }

    private Tensor Augment(Tensor inputs)
    {
        var x = inputs.Contiguous();
        var view = Tensor.From(x.ReadOnlySpan, x.Shape);
        var shape = x.Shape[1..].ToArray();
        int size = shape.Aggregate(1, (p, d) => p * d);
        var s = view.Span;
        for (int i = 0; i < x.Size(0); i++)
            foreach (var t in Transforms) t.Apply(s.Slice(i * size, size), shape, rng);
        return view;
    }
}

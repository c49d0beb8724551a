using Feynman.Tensors;

namespace Feynman.Autograd;

/// <summary>
/// Records operations and runs backward. Each op computes its output, then, if any input requires
/// grad and grad mode is on, calls <see cref="Record"/> with a backward function; backward visits
/// the recorded nodes newest first and hands each its output's gradient.
/// </summary>
public static class AutogradEngine
{
    [ThreadStatic] private static List<Node>? order;
    [ThreadStatic] private static Stack<Node>? pending;
    private static long passNumber;

    /// <summary>Whether an op on these inputs must record itself.</summary>
    public static bool ShouldRecord(Tensor a) => GradMode.IsEnabled && a.RequiresGrad;

    public static bool ShouldRecord(Tensor a, Tensor? b) => GradMode.IsEnabled && (a.RequiresGrad || (b?.RequiresGrad ?? false));

    public static bool ShouldRecord(Tensor a, Tensor? b, Tensor? c) =>
        GradMode.IsEnabled && (a.RequiresGrad || (b?.RequiresGrad ?? false) || (c?.RequiresGrad ?? false));

    public static bool ShouldRecord(ReadOnlySpan<Tensor> inputs)
    {
        if (!GradMode.IsEnabled) return false;
        foreach (var t in inputs) if (t.RequiresGrad) return true;
        return false;
    }

    /// <summary>
    /// Attaches <paramref name="backward"/> to <paramref name="output"/>. The backward receives the
    /// output's gradient (contiguous, same shape) and adds each input's gradient through <see cref="GradTarget"/>.
    /// </summary>
    public static void Record(Tensor output, string name, Tensor[] inputs, Action<Tensor> backward)
    {
        if (GradMode.IsAnomalyDetectionEnabled) CheckFinite(output, name, "forward output");
        output.GradFn = new Node(name, output, inputs, backward);
    }

    /// <summary>
    /// The tensor a backward function writes <paramref name="input"/>'s gradient into, and whether it
    /// must add to what is there (<paramref name="accumulate"/> true) or may overwrite it (false: a
    /// fresh buffer). Kernels use this as GEMM's beta: 0 for a fresh buffer, 1 to accumulate.
    /// </summary>
    public static Tensor GradTarget(Tensor input, out bool accumulate)
    {
        if (input.Grad is { } g)
        {
            accumulate = true;
            return g;
        }
        accumulate = false;
        // Gradients are owned by the engine (intermediate) or by the parameter (leaf), never by a scope.
        using (TensorScope.Suspend())
            input.Grad = Tensor.Empty(input.Shape);
        return input.Grad;
    }

    /// <summary>Adds <paramref name="gradient"/> (shape of <paramref name="input"/>) to the input's gradient.</summary>
    public static void Accumulate(Tensor input, ReadOnlySpan<float> gradient)
    {
        if (!input.RequiresGrad) return;
        var target = GradTarget(input, out bool accumulate);
        if (accumulate) TensorPrimitives.Add(target.Span, gradient, target.Span);
        else gradient.CopyTo(target.Span);
    }

    internal static void Backward(Tensor root, Tensor? gradient)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException("Backward() on a tensor that does not require grad: no parameter or input on its path has RequiresGrad set (or it was computed under NoGrad).");
        if (gradient is null && root.Count != 1)
            throw new InvalidOperationException($"Backward() without a gradient needs a scalar, not {root.ShapeString}; pass the output gradient.");
        if (gradient is not null && !TensorShape.SameShape(gradient.Shape, root.Shape))
            throw new ArgumentException($"gradient {gradient.ShapeString} does not match output {root.ShapeString}.");

        // Seed the root's gradient.
        var seed = GradTarget(root, out bool acc);
        if (gradient is null)
        {
            if (acc) seed.Span[0] += 1f; else seed.Span[0] = 1f;
        }
        else
        {
            var g = gradient.IsContiguous ? gradient : gradient.Contiguous();
            if (acc) TensorPrimitives.Add(seed.Span, g.Span, seed.Span);
            else g.Span.CopyTo(seed.Span);
        }
        if (root.GradFn is null) return;

        var nodes = order ??= new List<Node>(64);
        var stack = pending ??= new Stack<Node>(64);
        nodes.Clear();
        long mark = Interlocked.Increment(ref passNumber);
        root.GradFn.VisitMark = mark;
        stack.Push(root.GradFn);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            nodes.Add(node);
            foreach (var input in node.Inputs)
            {
                if (input.GradFn is { } next && next.VisitMark != mark)
                {
                    next.VisitMark = mark;
                    stack.Push(next);
                }
            }
        }
        nodes.Sort(static (a, b) => b.Sequence.CompareTo(a.Sequence));

        bool anomaly = GradMode.IsAnomalyDetectionEnabled;
        using (GradMode.NoGrad())
        {
            foreach (var node in nodes)
            {
                var output = node.Output;
                var grad = output.Grad;
                if (grad is null) continue; // no gradient reached this node
                node.Backward(grad);
                if (anomaly)
                    foreach (var input in node.Inputs)
                        if (input.Grad is { } ig) CheckFinite(ig, node.Name, $"gradient of its input {input.ShapeString} in backward");
                if (!output.RetainsGrad)
                {
                    output.Grad = null;
                    grad.Dispose();
                }
            }
        }
        nodes.Clear();
    }

    private static void CheckFinite(Tensor t, string op, string what)
    {
        var values = t.IsContiguous ? t.Span : t.ToArray();
        foreach (var v in values)
        {
            if (!float.IsFinite(v))
                throw new AnomalyException(op, $"anomaly: operation '{op}' produced {(float.IsNaN(v) ? "NaN" : "Inf")} in its {what} ({t.ShapeString}).");
        }
    }
}

using Feynman.Tensors;

namespace Feynman.Autograd;

/// <summary>
/// Losses with PyTorch's default mean reduction, each returning a scalar. Cross-entropy and KL fuse
/// log-softmax with the loss in one pass over the logits and keep only one log-sum-exp per row, so the
/// backward is a second pass that writes softmax − target (scaled) without any intermediate tensor.
/// </summary>
public static partial class Ops
{
    private static int[] CheckClassificationLogits(Tensor logits, string op)
    {
        if (logits.Rank != 2)
            throw new ArgumentException($"{op}: logits must be [N, C], got {logits.ShapeString}; reshape [.., C] to [-1, C] first.");
        return logits.Shape.ToArray();
    }

    private static float[]? ClassWeightValues(Tensor? classWeights, int classes, string op)
    {
        if (classWeights is null) return null;
        if (classWeights.Rank != 1 || classWeights.Shape[0] != classes)
            throw new ArgumentException($"{op}: class weights must be [{classes}] (one per class), got {classWeights.ShapeString}.");
        return classWeights.ToArray();
    }

    /// <summary>
    /// The loss tensor for per-sample values: their mean (sum / <paramref name="denominator"/>), their sum,
    /// or the values themselves shaped <paramref name="noneShape"/>.
    /// </summary>
    private static Tensor ReduceLoss(double[] values, Reduction reduction, double denominator, ReadOnlySpan<int> noneShape)
    {
        if (reduction == Reduction.None)
        {
            var y = Tensor.Empty(noneShape);
            var ys = y.Span;
            for (int i = 0; i < values.Length; i++) ys[i] = (float)values[i];
            return y;
        }
        double total = 0;
        foreach (var v in values) total += v;
        return Tensor.Scalar((float)(reduction == Reduction.Sum ? total : total / denominator));
    }

    /// <summary>The factor sample <paramref name="i"/>'s gradient gets from the output gradient <paramref name="g"/>.</summary>
    private static float LossGradScale(Tensor g, Reduction reduction, float denominator, int i) => reduction switch
    {
        Reduction.None => g.Span[i],
        Reduction.Sum => g.Span[0],
        _ => g.Span[0] / denominator,
    };

    /// <summary>Writes exp(row − max) into <paramref name="scratch"/> and returns the row's log-sum-exp.</summary>
    private static float RowLogSumExp(ReadOnlySpan<float> row, Span<float> scratch, float scale = 1f)
    {
        float max;
        if (scale == 1f)
        {
            max = TensorPrimitives.Max(row);
            if (float.IsNegativeInfinity(max)) return max;
            TensorPrimitives.Subtract(row, max, scratch);
        }
        else
        {
            TensorPrimitives.Multiply(row, scale, scratch);
            max = TensorPrimitives.Max(scratch);
            if (float.IsNegativeInfinity(max)) return max;
            TensorPrimitives.Subtract(scratch, max, scratch);
        }
        TensorPrimitives.Exp(scratch, scratch);
        return max + MathF.Log(TensorPrimitives.Sum(scratch));
    }

    /// <summary>
    /// Cross-entropy of logits [N, C] against class indices, as torch.nn.functional.cross_entropy (PyTorch
    /// 1.13): rows whose target is <paramref name="ignoreIndex"/> contribute nothing (0 with
    /// <see cref="Reduction.None"/>); with <paramref name="classWeights"/> row i's loss is weighted by w[yᵢ]
    /// and the mean is Σᵢ w[yᵢ]·ℓᵢ / Σᵢ w[yᵢ] over the rows not ignored; with <paramref name="labelSmoothing"/> ε
    /// row i's loss is (1 − ε)·w[yᵢ]·(−log p_yᵢ) + ε/C·Σ_c w[c]·(−log p_c), and the mean divides by the same sum
    /// of weights. If every row is ignored the mean is NaN (0/0), as in PyTorch.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, int[] targets, Tensor? classWeights = null, int ignoreIndex = -100, float labelSmoothing = 0f,
                                      Reduction reduction = Reduction.Mean)
    {
        const string op = "cross_entropy";
        var shape = CheckClassificationLogits(logits, op);
        int n = shape[0], c = shape[1];
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Length != n)
            throw new ArgumentException($"{op}: {targets.Length} targets for logits {logits.ShapeString} (expected {n}).");
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new ArgumentException($"{op}: label smoothing must be in [0, 1], got {labelSmoothing}.");
        var w = ClassWeightValues(classWeights, c, op);
        var labels = (int[])targets.Clone(); // the backward runs later; the caller may reuse its array
        for (int i = 0; i < n; i++)
            if (labels[i] != ignoreIndex && (uint)labels[i] >= (uint)c)
                throw new ArgumentException($"{op}: target {labels[i]} at row {i} is outside [0, {c}) for logits {logits.ShapeString} (ignore index is {ignoreIndex}).");

        var x = Contiguous(logits);
        var xs = x.Span;
        float eps = labelSmoothing;
        float weightSum = w is null ? c : TensorPrimitives.Sum<float>(w);
        var lse = new float[n];
        var rowLoss = new double[n];
        double totalWeight = 0;
        var scratch = BufferPool.Rent(c);
        try
        {
            var tmp = scratch.AsSpan(0, c);
            for (int i = 0; i < n; i++)
            {
                if (labels[i] == ignoreIndex) continue;
                var row = xs.Slice(i * c, c);
                float l = lse[i] = RowLogSumExp(row, tmp);
                float wy = w?[labels[i]] ?? 1f;
                totalWeight += wy;
                double nll = wy * ((double)l - row[labels[i]]);
                double loss = (1 - eps) * nll;
                if (eps > 0f)
                {
                    // Σ_c w_c (lse − x_c)
                    double smooth = (double)l * weightSum - (w is null ? TensorPrimitives.Sum(row) : TensorPrimitives.Dot(row, w));
                    loss += eps / c * smooth;
                }
                rowLoss[i] = loss;
            }
        }
        finally { BufferPool.Return(scratch); }

        var y = ReduceLoss(rowLoss, reduction, totalWeight, [n]);
        if (AutogradEngine.ShouldRecord(x))
        {
            float denominator = (float)totalWeight;
            AutogradEngine.Record(y, op, [x], g => WriteElementwiseGrad(x, dst =>
            {
                // Row i: (Σ_c a_c)·softmax − a, a_c = (1 − ε)·w[y]·[c = y] + ε/C·w[c], times the row's share of the loss.
                var xv = x.Span;
                for (int i = 0; i < n; i++)
                {
                    var dr = dst.Slice(i * c, c);
                    if (labels[i] == ignoreIndex) { dr.Clear(); continue; }
                    float scale = LossGradScale(g, reduction, denominator, i);
                    float wy = w?[labels[i]] ?? 1f;
                    float sumA = (1 - eps) * wy + eps / c * weightSum;
                    TensorPrimitives.Subtract(xv.Slice(i * c, c), lse[i], dr);
                    TensorPrimitives.Exp(dr, dr);
                    TensorPrimitives.Multiply(dr, sumA, dr);
                    if (eps > 0f)
                    {
                        if (w is null) TensorPrimitives.Subtract(dr, eps / c, dr);
                        else TensorPrimitives.MultiplyAdd(w, -eps / c, dr, dr);
                    }
                    dr[labels[i]] -= (1 - eps) * wy;
                    TensorPrimitives.Multiply(dr, scale, dr);
                }
            }));
        }
        return y;
    }

    /// <summary>
    /// Cross-entropy of logits [N, C] against class probabilities [N, C] (torch.nn.functional.cross_entropy
    /// with a probability target): mean over rows of −Σ_c w[c]·t'_c·log softmax(x)_c, where
    /// t' = (1 − ε)·t + ε/C (the mean divides by N, with or without class weights, as PyTorch does). The
    /// gradient reaches the targets too when they require grad (a teacher that learns from its student's loss).
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor targetProbabilities, Tensor? classWeights = null, float labelSmoothing = 0f,
                                      Reduction reduction = Reduction.Mean)
    {
        const string op = "cross_entropy_soft";
        var shape = CheckClassificationLogits(logits, op);
        int n = shape[0], c = shape[1];
        if (!TensorShape.SameShape(targetProbabilities.Shape, logits.Shape))
            throw new ArgumentException($"{op}: target probabilities {targetProbabilities.ShapeString} do not match logits {logits.ShapeString}.");
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new ArgumentException($"{op}: label smoothing must be in [0, 1], got {labelSmoothing}.");
        var w = ClassWeightValues(classWeights, c, op);
        var x = Contiguous(logits);
        var t = Contiguous(targetProbabilities);
        float eps = labelSmoothing;
        var lse = new float[n];
        var rowLoss = new double[n];
        var scratch = BufferPool.Rent(2 * c);
        try
        {
            var tmp = scratch.AsSpan(0, c);
            var a = scratch.AsSpan(c, c);
            var xs = x.Span;
            var ts = t.Span;
            for (int i = 0; i < n; i++)
            {
                var row = xs.Slice(i * c, c);
                float l = lse[i] = RowLogSumExp(row, tmp);
                SoftTargetCoefficients(ts.Slice(i * c, c), w, eps, a);
                // −Σ a_c (x_c − lse) = lse·Σa − Σ a_c x_c
                rowLoss[i] = (double)l * TensorPrimitives.Sum(a) - TensorPrimitives.Dot(a, row);
            }
        }
        finally { BufferPool.Return(scratch); }

        var y = ReduceLoss(rowLoss, reduction, n, [n]);
        if (AutogradEngine.ShouldRecord(x, t))
        {
            AutogradEngine.Record(y, op, [x, t], g =>
            {
                WriteElementwiseGrad(x, dst =>
                {
                    var xv = x.Span;
                    var tv = t.Span;
                    var a = BufferPool.Rent(c);
                    try
                    {
                        var ar = a.AsSpan(0, c);
                        for (int i = 0; i < n; i++)
                        {
                            var dr = dst.Slice(i * c, c);
                            SoftTargetCoefficients(tv.Slice(i * c, c), w, eps, ar);
                            TensorPrimitives.Subtract(xv.Slice(i * c, c), lse[i], dr);
                            TensorPrimitives.Exp(dr, dr);
                            TensorPrimitives.Multiply(dr, TensorPrimitives.Sum(ar), dr);
                            TensorPrimitives.Subtract(dr, ar, dr);
                            TensorPrimitives.Multiply(dr, LossGradScale(g, reduction, n, i), dr);
                        }
                    }
                    finally { BufferPool.Return(a); }
                });
                WriteElementwiseGrad(t, dst =>
                {
                    // d/dt_c = −(1 − ε)·w_c·log p_c
                    var xv = x.Span;
                    for (int i = 0; i < n; i++)
                    {
                        var dr = dst.Slice(i * c, c);
                        TensorPrimitives.Subtract(lse[i], xv.Slice(i * c, c), dr);
                        if (w is not null) TensorPrimitives.Multiply(dr, w, dr);
                        TensorPrimitives.Multiply(dr, (1 - eps) * LossGradScale(g, reduction, n, i), dr);
                    }
                });
            });
        }
        return y;
    }

    /// <summary>a_c = w_c·((1 − ε)·t_c + ε/C).</summary>
    private static void SoftTargetCoefficients(ReadOnlySpan<float> target, float[]? w, float eps, Span<float> a)
    {
        TensorPrimitives.Multiply(target, 1 - eps, a);
        if (eps > 0f) TensorPrimitives.Add(a, eps / a.Length, a);
        if (w is not null) TensorPrimitives.Multiply(a, w, a);
    }

    /// <summary>
    /// Distillation loss KL(softmax(teacher/T) ‖ softmax(student/T)) summed over classes and averaged over
    /// the N rows (PyTorch's kl_div(log_softmax(s/T), softmax(t/T), reduction="batchmean")). It does NOT
    /// include the T² factor: callers multiply by T² as Hinton et al. (2015) do, so that gradient
    /// magnitudes stay comparable across temperatures. The gradient reaches the teacher's logits only when
    /// they require grad (compute a fixed teacher under NoGrad). <see cref="Reduction.None"/> gives the KL of
    /// each row ([N], summed over classes, unlike PyTorch's elementwise "none"), <see cref="Reduction.Sum"/> their sum.
    /// </summary>
    public static Tensor KlDivLogits(Tensor studentLogits, Tensor teacherLogits, float temperature = 1f, Reduction reduction = Reduction.Mean)
    {
        const string op = "kl_div_logits";
        var shape = CheckClassificationLogits(studentLogits, op);
        if (!TensorShape.SameShape(studentLogits.Shape, teacherLogits.Shape))
            throw new ArgumentException($"{op}: student logits {studentLogits.ShapeString} and teacher logits {teacherLogits.ShapeString} differ in shape.");
        if (!(temperature > 0f) || float.IsInfinity(temperature))
            throw new ArgumentException($"{op}: temperature must be positive and finite, got {temperature}.");
        int n = shape[0], c = shape[1];
        var s = Contiguous(studentLogits);
        var t = Contiguous(teacherLogits);
        float invT = 1f / temperature;
        var lseS = new float[n];
        var lseT = new float[n];
        var klRow = new float[n];
        var rowLoss = new double[n];
        var scratch = BufferPool.Rent(2 * c);
        try
        {
            var pt = scratch.AsSpan(0, c);
            var diff = scratch.AsSpan(c, c);
            var ss = s.Span;
            var ts = t.Span;
            for (int i = 0; i < n; i++)
            {
                var sr = ss.Slice(i * c, c);
                var tr = ts.Slice(i * c, c);
                float ls = lseS[i] = RowLogSumExp(sr, pt, invT);
                float lt = lseT[i] = RowLogSumExp(tr, pt, invT);
                // Σ p_t·(log p_t − log p_s), with log p_t − log p_s = (t − s)/T − lse_t + lse_s
                TensorPrimitives.Subtract(tr, sr, diff);
                TensorPrimitives.Multiply(diff, invT, diff);
                TensorPrimitives.Add(diff, ls - lt, diff);
                ScaledSoftmaxFromLse(tr, invT, lt, pt);
                float kl = TensorPrimitives.Dot(pt, diff);
                klRow[i] = kl;
                rowLoss[i] = kl;
            }
        }
        finally { BufferPool.Return(scratch); }

        var y = ReduceLoss(rowLoss, reduction, n, [n]);
        if (AutogradEngine.ShouldRecord(s, t))
        {
            AutogradEngine.Record(y, op, [s, t], g =>
            {
                var pt = BufferPool.Rent(c);
                try
                {
                    WriteElementwiseGrad(s, dst =>
                    {
                        var ptr = pt.AsSpan(0, c);
                        // (softmax(s/T) − softmax(t/T)) / T, times the row's share (1/N for the mean)
                        var sv = s.Span;
                        var tv = t.Span;
                        for (int i = 0; i < n; i++)
                        {
                            var dr = dst.Slice(i * c, c);
                            ScaledSoftmaxFromLse(sv.Slice(i * c, c), invT, lseS[i], dr);
                            ScaledSoftmaxFromLse(tv.Slice(i * c, c), invT, lseT[i], ptr);
                            TensorPrimitives.Subtract(dr, ptr, dr);
                            TensorPrimitives.Multiply(dr, LossGradScale(g, reduction, n, i) * invT, dr);
                        }
                    });
                    WriteElementwiseGrad(t, dst =>
                    {
                        // p_t·((log p_t − log p_s) − KL_row) / T, times the row's share
                        var sv = s.Span;
                        var tv = t.Span;
                        var ptr = pt.AsSpan(0, c);
                        for (int i = 0; i < n; i++)
                        {
                            var dr = dst.Slice(i * c, c);
                            var tr = tv.Slice(i * c, c);
                            TensorPrimitives.Subtract(tr, sv.Slice(i * c, c), dr);
                            TensorPrimitives.Multiply(dr, invT, dr);
                            TensorPrimitives.Add(dr, lseS[i] - lseT[i] - klRow[i], dr);
                            ScaledSoftmaxFromLse(tr, invT, lseT[i], ptr);
                            TensorPrimitives.Multiply(dr, ptr, dr);
                            TensorPrimitives.Multiply(dr, LossGradScale(g, reduction, n, i) * invT, dr);
                        }
                    });
                }
                finally { BufferPool.Return(pt); }
            });
        }
        return y;
    }

    /// <summary>softmax(row·scale) given its log-sum-exp.</summary>
    private static void ScaledSoftmaxFromLse(ReadOnlySpan<float> row, float scale, float lse, Span<float> destination)
    {
        TensorPrimitives.Multiply(row, scale, destination);
        TensorPrimitives.Subtract(destination, lse, destination);
        TensorPrimitives.Exp(destination, destination);
    }

    /// <summary>
    /// Binary cross-entropy on logits, mean over all elements (torch.nn.functional.binary_cross_entropy_with_logits),
    /// computed stably as (1 − t)·x + (1 + (pw − 1)·t)·softplus(−x). <paramref name="posWeight"/> (weight of
    /// positive examples) broadcasts against the logits, typically one value per class [C]; it is a constant
    /// (no gradient). The targets receive a gradient when they require grad. <see cref="Reduction.None"/> gives
    /// the elementwise losses in the logits' shape.
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor targets, Tensor? posWeight = null, Reduction reduction = Reduction.Mean)
    {
        const string op = "binary_cross_entropy_with_logits";
        if (!TensorShape.SameShape(logits.Shape, targets.Shape))
            throw new ArgumentException($"{op}: targets {targets.ShapeString} must have the shape of the logits {logits.ShapeString}.");
        var x = Contiguous(logits);
        var t = Contiguous(targets);
        float[]? pw = null;
        if (posWeight is not null)
        {
            int[] b;
            try { b = TensorShape.Broadcast(logits.Shape, posWeight.Shape); }
            catch (ArgumentException) { b = []; }
            if (!TensorShape.SameShape(b, logits.Shape))
                throw new ArgumentException($"{op}: pos_weight {posWeight.ShapeString} does not broadcast to the logits {logits.ShapeString}.");
            using (GradMode.NoGrad())
                pw = Expand(posWeight.Detach(), logits.Shape.ToArray()).ToArray();
        }
        int count = x.Count;
        var xs = x.Span;
        var ts = t.Span;
        var losses = BufferPool.Rent(count);
        var scratch = BufferPool.Rent(count);
        Tensor y;
        try
        {
            var ls = losses.AsSpan(0, count);
            var tmp = scratch.AsSpan(0, count);
            SoftplusOfNegated(xs, ls, tmp);
            if (pw is not null)
            {
                PosWeightFactor(pw, ts, tmp);
                TensorPrimitives.Multiply(ls, tmp, ls);
            }
            // + (1 − t)·x
            TensorPrimitives.Subtract(1f, ts, tmp);
            TensorPrimitives.MultiplyAdd(tmp, xs, ls, ls);
            if (reduction == Reduction.None)
            {
                y = Tensor.Empty(x.Shape);
                ls.CopyTo(y.Span);
            }
            else
            {
                float total = TensorPrimitives.Sum((ReadOnlySpan<float>)ls);
                y = Tensor.Scalar(reduction == Reduction.Sum ? total : total / count);
            }
        }
        finally
        {
            BufferPool.Return(losses);
            BufferPool.Return(scratch);
        }
        if (AutogradEngine.ShouldRecord(x, t))
        {
            AutogradEngine.Record(y, op, [x, t], g =>
            {
                var buffer = BufferPool.Rent(count);
                try
                {
                    WriteElementwiseGrad(x, dst =>
                    {
                        // (1 − t) + l·(σ(x) − 1); without pos_weight σ(x) − t
                        var tmp = buffer.AsSpan(0, count);
                        TensorPrimitives.Sigmoid(x.Span, dst);
                        TensorPrimitives.Subtract(dst, 1f, dst);
                        if (pw is not null)
                        {
                            PosWeightFactor(pw, t.Span, tmp);
                            TensorPrimitives.Multiply(dst, tmp, dst);
                        }
                        TensorPrimitives.Subtract(1f, t.Span, tmp);
                        TensorPrimitives.Add(dst, tmp, dst);
                        ScaleLossGrad(dst, g, reduction, count);
                    });
                    WriteElementwiseGrad(t, dst =>
                    {
                        // −x + (pw − 1)·softplus(−x)
                        var tmp = buffer.AsSpan(0, count);
                        if (pw is not null)
                        {
                            SoftplusOfNegated(x.Span, dst, tmp);
                            TensorPrimitives.Subtract(pw, 1f, tmp);
                            TensorPrimitives.Multiply(dst, tmp, dst);
                            TensorPrimitives.Subtract(dst, x.Span, dst);
                        }
                        else TensorPrimitives.Negate(x.Span, dst);
                        ScaleLossGrad(dst, g, reduction, count);
                    });
                }
                finally { BufferPool.Return(buffer); }
            });
        }
        return y;
    }

    /// <summary>softplus(−x) = max(−x, 0) + log(1 + e^(−|x|)), stable for any x; <paramref name="scratch"/> has x's length.</summary>
    private static void SoftplusOfNegated(ReadOnlySpan<float> x, Span<float> destination, Span<float> scratch)
    {
        TensorPrimitives.Abs(x, destination);
        TensorPrimitives.Negate(destination, destination);
        TensorPrimitives.Exp(destination, destination);
        TensorPrimitives.Add(destination, 1f, destination);
        TensorPrimitives.Log(destination, destination);
        TensorPrimitives.Negate(x, scratch);
        TensorPrimitives.Max(scratch, 0f, scratch);
        TensorPrimitives.Add(destination, scratch, destination);
    }

    /// <summary>l = 1 + (pos_weight − 1)·t, the weight of the positive part of the binary cross-entropy.</summary>
    private static void PosWeightFactor(ReadOnlySpan<float> posWeight, ReadOnlySpan<float> target, Span<float> destination)
    {
        TensorPrimitives.Subtract(posWeight, 1f, destination);
        TensorPrimitives.Multiply(destination, target, destination);
        TensorPrimitives.Add(destination, 1f, destination);
    }

    /// <summary>Multiplies elementwise loss gradients by the output gradient: elementwise for None, else one factor.</summary>
    private static void ScaleLossGrad(Span<float> grad, Tensor g, Reduction reduction, int count)
    {
        if (reduction == Reduction.None) TensorPrimitives.Multiply(grad, g.Span, grad);
        else TensorPrimitives.Multiply(grad, LossGradScale(g, reduction, count, 0), grad);
    }

    /// <summary>
    /// Squared error (torch.nn.functional.mse_loss), by default the mean over all elements; the shapes must
    /// match. <see cref="Reduction.None"/> gives the elementwise squares in the input's shape.
    /// </summary>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        const string op = "mse_loss";
        if (!TensorShape.SameShape(input.Shape, target.Shape))
            throw new ArgumentException($"{op}: input {input.ShapeString} and target {target.ShapeString} differ in shape.");
        var a = Contiguous(input);
        var b = Contiguous(target);
        int count = a.Count;
        var diff = new float[count];
        TensorPrimitives.Subtract(a.Span, b.Span, diff);
        Tensor y;
        if (reduction == Reduction.None)
        {
            y = Tensor.Empty(a.Shape);
            TensorPrimitives.Multiply(diff, diff, y.Span);
        }
        else
        {
            float total = TensorPrimitives.Dot(diff, diff);
            y = Tensor.Scalar(reduction == Reduction.Sum ? total : total / count);
        }
        if (AutogradEngine.ShouldRecord(a, b))
        {
            AutogradEngine.Record(y, op, [a, b], g =>
            {
                // ±2·(a − b), times the output gradient (elementwise for None, 1/count for the mean)
                WriteElementwiseGrad(a, dst => MseGrad(diff, g, reduction, count, 2f, dst));
                WriteElementwiseGrad(b, dst => MseGrad(diff, g, reduction, count, -2f, dst));
            });
        }
        return y;
    }

    private static void MseGrad(ReadOnlySpan<float> diff, Tensor g, Reduction reduction, int count, float sign, Span<float> dst)
    {
        if (reduction == Reduction.None)
        {
            TensorPrimitives.Multiply(diff, g.Span, dst);
            TensorPrimitives.Multiply(dst, sign, dst);
        }
        else TensorPrimitives.Multiply(diff, sign * LossGradScale(g, reduction, count, 0), dst);
    }
}

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

    /// <summary>Writes exp(row − max) into <paramref name="scratch"/> and returns the row's log-sum-exp.</summary>
    private static float RowLogSumExp(ReadOnlySpan<float> row, Span<float> scratch, float scale = 1f)
    {
        if (scale == 1f) row.CopyTo(scratch);
        else TensorPrimitives.Multiply(row, scale, scratch);
        float max = TensorPrimitives.Max(scratch);
        if (float.IsNegativeInfinity(max)) return max;
        TensorPrimitives.Subtract(scratch, max, scratch);
        TensorPrimitives.Exp(scratch, scratch);
        return max + MathF.Log(TensorPrimitives.Sum(scratch));
    }

    /// <summary>
    /// Cross-entropy of logits [N, C] against class indices, as torch.nn.functional.cross_entropy with
    /// reduction "mean": rows whose target is <paramref name="ignoreIndex"/> contribute nothing; with
    /// <paramref name="classWeights"/> the loss is Σᵢ w[yᵢ]·ℓᵢ / Σᵢ w[yᵢ] over the rows not ignored; with
    /// <paramref name="labelSmoothing"/> ε the loss is (1 − ε)·nll + ε/C·Σ_c w[c]·(−log p_c), normalised by
    /// the same sum of weights (PyTorch 1.13). If every row is ignored the result is NaN (0/0), as in PyTorch.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, int[] targets, Tensor? classWeights = null, int ignoreIndex = -100, float labelSmoothing = 0f)
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
        double total = 0, totalWeight = 0;
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
                total += loss;
            }
        }
        finally { BufferPool.Return(scratch); }

        var y = Tensor.Scalar((float)(total / totalWeight));
        if (AutogradEngine.ShouldRecord(x))
        {
            float denominator = (float)totalWeight;
            AutogradEngine.Record(y, op, [x], g => WriteElementwiseGrad(x, dst =>
            {
                // Row i: (Σ_c a_c)·softmax − a, a_c = (1 − ε)·w[y]·[c = y] + ε/C·w[c], all over Σ w[yᵢ].
                float scale = g.Span[0] / denominator;
                var xv = x.Span;
                for (int i = 0; i < n; i++)
                {
                    var dr = dst.Slice(i * c, c);
                    if (labels[i] == ignoreIndex) { dr.Clear(); continue; }
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
    /// t' = (1 − ε)·t + ε/C. The gradient reaches the targets too when they require grad (a teacher that
    /// learns from its student's loss).
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor targetProbabilities, Tensor? classWeights = null, float labelSmoothing = 0f)
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
        double total = 0;
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
                total += (double)l * TensorPrimitives.Sum(a) - TensorPrimitives.Dot(a, row);
            }
        }
        finally { BufferPool.Return(scratch); }

        var y = Tensor.Scalar((float)(total / n));
        if (AutogradEngine.ShouldRecord(x, t))
        {
            AutogradEngine.Record(y, op, [x, t], g =>
            {
                float scale = g.Span[0] / n;
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
                            TensorPrimitives.Multiply(dr, scale, dr);
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
                        TensorPrimitives.Multiply(dr, (1 - eps) * scale, dr);
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
    /// they require grad (compute a fixed teacher under NoGrad).
    /// </summary>
    public static Tensor KlDivLogits(Tensor studentLogits, Tensor teacherLogits, float temperature = 1f)
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
        double total = 0;
        var scratch = BufferPool.Rent(c);
        try
        {
            var tmp = scratch.AsSpan(0, c);
            var ss = s.Span;
            var ts = t.Span;
            for (int i = 0; i < n; i++)
            {
                var sr = ss.Slice(i * c, c);
                var tr = ts.Slice(i * c, c);
                float ls = lseS[i] = RowLogSumExp(sr, tmp, invT);
                float lt = lseT[i] = RowLogSumExp(tr, tmp, invT);
                // Σ p_t·(log p_t − log p_s), log p_t − log p_s = (t − s)/T − lse_t + lse_s
                double kl = 0;
                for (int j = 0; j < c; j++)
                {
                    double logPt = tr[j] * invT - lt;
                    double pt = Math.Exp(logPt);
                    if (pt > 0) kl += pt * (logPt - (sr[j] * invT - ls));
                }
                klRow[i] = (float)kl;
                total += kl;
            }
        }
        finally { BufferPool.Return(scratch); }

        var y = Tensor.Scalar((float)(total / n));
        if (AutogradEngine.ShouldRecord(s, t))
        {
            AutogradEngine.Record(y, op, [s, t], g =>
            {
                float scale = g.Span[0] / (n * temperature);
                var pt = BufferPool.Rent(c);
                try
                {
                    WriteElementwiseGrad(s, dst =>
                    {
                        var ptr = pt.AsSpan(0, c);
                        // (softmax(s/T) − softmax(t/T)) / (N·T)
                        var sv = s.Span;
                        var tv = t.Span;
                        for (int i = 0; i < n; i++)
                        {
                            var dr = dst.Slice(i * c, c);
                            ScaledSoftmaxFromLse(sv.Slice(i * c, c), invT, lseS[i], dr);
                            ScaledSoftmaxFromLse(tv.Slice(i * c, c), invT, lseT[i], ptr);
                            TensorPrimitives.Subtract(dr, ptr, dr);
                            TensorPrimitives.Multiply(dr, scale, dr);
                        }
                    });
                    WriteElementwiseGrad(t, dst =>
                    {
                        // p_t·((log p_t − log p_s) − KL_row) / (N·T)
                        var sv = s.Span;
                        var tv = t.Span;
                        for (int i = 0; i < n; i++)
                        {
                            var dr = dst.Slice(i * c, c);
                            var sr = sv.Slice(i * c, c);
                            var tr = tv.Slice(i * c, c);
                            float shift = lseS[i] - lseT[i] - klRow[i];
                            for (int j = 0; j < c; j++)
                            {
                                float logPt = tr[j] * invT - lseT[i];
                                dr[j] = MathF.Exp(logPt) * ((tr[j] - sr[j]) * invT + shift) * scale;
                            }
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
    /// (no gradient). The targets receive a gradient when they require grad.
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor targets, Tensor? posWeight = null)
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
        double total = 0;
        for (int i = 0; i < count; i++)
        {
            double v = xs[i], target = ts[i];
            double softplusNeg = Math.Max(-v, 0) + Math.Log(1 + Math.Exp(-Math.Abs(v)));
            double l = pw is null ? 1 : 1 + (pw[i] - 1) * target;
            total += (1 - target) * v + l * softplusNeg;
        }
        var y = Tensor.Scalar((float)(total / count));
        if (AutogradEngine.ShouldRecord(x, t))
        {
            AutogradEngine.Record(y, op, [x, t], g =>
            {
                float scale = g.Span[0] / count;
                WriteElementwiseGrad(x, dst =>
                {
                    // (1 − t) + l·(σ(x) − 1); without pos_weight σ(x) − t
                    var xv = x.Span;
                    var tv = t.Span;
                    for (int i = 0; i < dst.Length; i++)
                    {
                        float sig = 1f / (1f + MathF.Exp(-xv[i]));
                        float l = pw is null ? 1f : 1f + (pw[i] - 1f) * tv[i];
                        dst[i] = ((1f - tv[i]) + l * (sig - 1f)) * scale;
                    }
                });
                WriteElementwiseGrad(t, dst =>
                {
                    // −x + (pw − 1)·softplus(−x)
                    var xv = x.Span;
                    for (int i = 0; i < dst.Length; i++)
                    {
                        float v = xv[i];
                        float grad = -v;
                        if (pw is not null) grad += (pw[i] - 1f) * (MathF.Max(-v, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(v))));
                        dst[i] = grad * scale;
                    }
                });
            });
        }
        return y;
    }

    /// <summary>Mean squared error, mean over all elements (torch.nn.functional.mse_loss); the shapes must match.</summary>
    public static Tensor MseLoss(Tensor input, Tensor target)
    {
        const string op = "mse_loss";
        if (!TensorShape.SameShape(input.Shape, target.Shape))
            throw new ArgumentException($"{op}: input {input.ShapeString} and target {target.ShapeString} differ in shape.");
        var a = Contiguous(input);
        var b = Contiguous(target);
        int count = a.Count;
        var diff = new float[count];
        TensorPrimitives.Subtract(a.Span, b.Span, diff);
        var y = Tensor.Scalar(TensorPrimitives.Dot(diff, diff) / count);
        if (AutogradEngine.ShouldRecord(a, b))
        {
            AutogradEngine.Record(y, op, [a, b], g =>
            {
                float scale = 2f * g.Span[0] / count;
                WriteElementwiseGrad(a, dst => TensorPrimitives.Multiply(diff, scale, dst));
                WriteElementwiseGrad(b, dst => TensorPrimitives.Multiply(diff, -scale, dst));
            });
        }
        return y;
    }
}

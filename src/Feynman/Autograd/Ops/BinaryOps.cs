using Feynman.Tensors;

namespace Feynman.Autograd;

/// <summary>Broadcasting add, subtract, multiply and divide (NumPy rules), with scalar forms.</summary>
public static partial class Ops
{
    private enum Binary { Add, Sub, Mul, Div }

    public static Tensor Add(Tensor a, Tensor b) => BinaryOp(a, b, Binary.Add, "add");

    public static Tensor Sub(Tensor a, Tensor b) => BinaryOp(a, b, Binary.Sub, "sub");

    public static Tensor Mul(Tensor a, Tensor b) => BinaryOp(a, b, Binary.Mul, "mul");

    public static Tensor Div(Tensor a, Tensor b) => BinaryOp(a, b, Binary.Div, "div");

    public static Tensor Add(Tensor a, float s)
    {
        var x = Contiguous(a);
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Add(x.Span, s, y.Span);
        if (AutogradEngine.ShouldRecord(x))
            AutogradEngine.Record(y, "add_scalar", [x], g => AutogradEngine.Accumulate(x, g.Span));
        return y;
    }

    public static Tensor Mul(Tensor a, float s)
    {
        var x = Contiguous(a);
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Multiply(x.Span, s, y.Span);
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, "mul_scalar", [x], g =>
            {
                var t = AutogradEngine.GradTarget(x, out bool acc);
                if (acc) TensorPrimitives.MultiplyAdd(g.Span, s, t.Span, t.Span);
                else TensorPrimitives.Multiply(g.Span, s, t.Span);
            });
        }
        return y;
    }

    public static Tensor Sub(Tensor a, float s) => Add(a, -s);

    public static Tensor Div(Tensor a, float s) => Mul(a, 1f / s);

    /// <summary>s - a.</summary>
    public static Tensor RSub(float s, Tensor a)
    {
        var x = Contiguous(a);
        var y = Tensor.Empty(x.Shape);
        TensorPrimitives.Subtract(s, x.Span, y.Span);
        if (AutogradEngine.ShouldRecord(x))
        {
            AutogradEngine.Record(y, "rsub_scalar", [x], g =>
            {
                var t = AutogradEngine.GradTarget(x, out bool acc);
                if (acc) TensorPrimitives.Subtract(t.Span, g.Span, t.Span);
                else TensorPrimitives.Negate(g.Span, t.Span);
            });
        }
        return y;
    }

    public static Tensor Neg(Tensor a) => Mul(a, -1f);

    private static Tensor BinaryOp(Tensor a, Tensor b, Binary kind, string name)
    {
        var shape = TensorShape.Broadcast(a.Shape, b.Shape);
        var ca = Contiguous(a);
        var cb = Contiguous(b);
        var y = Tensor.Empty(shape);
        BroadcastKernel(kind, ca, cb, y);
        if (AutogradEngine.ShouldRecord(ca, cb))
        {
            AutogradEngine.Record(y, name, [ca, cb], g =>
            {
                switch (kind)
                {
                    case Binary.Add:
                        if (ca.RequiresGrad) ReduceGradToShape(ca, g);
                        if (cb.RequiresGrad) ReduceGradToShape(cb, g);
                        break;
                    case Binary.Sub:
                        if (ca.RequiresGrad) ReduceGradToShape(ca, g);
                        if (cb.RequiresGrad) { using var ng = Neg(g); ReduceGradToShape(cb, ng); }
                        break;
                    case Binary.Mul:
                        if (ca.RequiresGrad) { using var ga = Mul(g, cb); ReduceGradToShape(ca, ga); }
                        if (cb.RequiresGrad) { using var gb = Mul(g, ca); ReduceGradToShape(cb, gb); }
                        break;
                    case Binary.Div:
                        if (ca.RequiresGrad) { using var ga = Div(g, cb); ReduceGradToShape(ca, ga); }
                        if (cb.RequiresGrad)
                        {
                            // d(a/b)/db = -a/b² = -y/b
                            using var yb = Div(y, cb);
                            using var gyb = Mul(g, yb);
                            using var ng = Neg(gyb);
                            ReduceGradToShape(cb, ng);
                        }
                        break;
                }
            });
        }
        return y;
    }

    /// <summary>y = a ∘ b with broadcasting; a and b contiguous, y contiguous of the broadcast shape.</summary>
    private static void BroadcastKernel(Binary kind, Tensor a, Tensor b, Tensor y)
    {
        var ys = y.Span;
        if (ys.Length == 0) return;
        var sa = a.Span;
        var sb = b.Span;
        if (sa.Length == ys.Length && sb.Length == ys.Length) { Apply(kind, sa, sb, ys); return; }
        if (sb.Length == 1 && sa.Length == ys.Length) { ApplyScalarRight(kind, sa, sb[0], ys); return; }
        if (sa.Length == 1 && sb.Length == ys.Length) { ApplyScalarLeft(kind, sa[0], sb, ys); return; }

        // General case, a row (last dimension) at a time; each operand's row is either contiguous or one broadcast value.
        int rank = y.Rank;
        var stA = TensorShape.BroadcastStrides(a.Shape, a.Strides, y.Shape);
        var stB = TensorShape.BroadcastStrides(b.Shape, b.Strides, y.Shape);
        int inner = y.Shape[rank - 1];
        bool aRow = stA[rank - 1] != 0 || inner == 1, bRow = stB[rank - 1] != 0 || inner == 1;
        Span<int> index = stackalloc int[rank];
        int rows = ys.Length / inner;
        for (int r = 0; r < rows; r++)
        {
            int oa = 0, ob = 0;
            for (int d = 0; d < rank - 1; d++) { oa += index[d] * stA[d]; ob += index[d] * stB[d]; }
            var yr = ys.Slice(r * inner, inner);
            if (aRow && bRow) Apply(kind, sa.Slice(oa, inner), sb.Slice(ob, inner), yr);
            else if (aRow) ApplyScalarRight(kind, sa.Slice(oa, inner), sb[ob], yr);
            else if (bRow) ApplyScalarLeft(kind, sa[oa], sb.Slice(ob, inner), yr);
            else yr.Fill(Scalar(kind, sa[oa], sb[ob]));
            for (int d = rank - 2; d >= 0; d--)
            {
                if (++index[d] < y.Shape[d]) break;
                index[d] = 0;
            }
        }
    }

    private static float Scalar(Binary kind, float x, float z) => kind switch
    {
        Binary.Add => x + z,
        Binary.Sub => x - z,
        Binary.Mul => x * z,
        _ => x / z,
    };

    private static void Apply(Binary kind, ReadOnlySpan<float> x, ReadOnlySpan<float> z, Span<float> y)
    {
        switch (kind)
        {
            case Binary.Add: TensorPrimitives.Add(x, z, y); break;
            case Binary.Sub: TensorPrimitives.Subtract(x, z, y); break;
            case Binary.Mul: TensorPrimitives.Multiply(x, z, y); break;
            default: TensorPrimitives.Divide(x, z, y); break;
        }
    }

    private static void ApplyScalarRight(Binary kind, ReadOnlySpan<float> x, float z, Span<float> y)
    {
        switch (kind)
        {
            case Binary.Add: TensorPrimitives.Add(x, z, y); break;
            case Binary.Sub: TensorPrimitives.Subtract(x, z, y); break;
            case Binary.Mul: TensorPrimitives.Multiply(x, z, y); break;
            default: TensorPrimitives.Divide(x, z, y); break;
        }
    }

    private static void ApplyScalarLeft(Binary kind, float x, ReadOnlySpan<float> z, Span<float> y)
    {
        switch (kind)
        {
            case Binary.Add: TensorPrimitives.Add(z, x, y); break;
            case Binary.Sub: TensorPrimitives.Subtract(x, z, y); break;
            case Binary.Mul: TensorPrimitives.Multiply(z, x, y); break;
            default: TensorPrimitives.Divide(x, z, y); break;
        }
    }

    /// <summary>
    /// Adds gradient <paramref name="g"/> (of a broadcast result) to <paramref name="input"/>'s gradient,
    /// summing over the dimensions along which the input was broadcast.
    /// </summary>
    internal static void ReduceGradToShape(Tensor input, Tensor g)
    {
        if (!input.RequiresGrad) return;
        if (TensorShape.SameShape(input.Shape, g.Shape)) { AutogradEngine.Accumulate(input, g.Span); return; }
        var target = AutogradEngine.GradTarget(input, out bool acc);
        if (!acc) target.Span.Clear();
        var ts = target.Span;
        var gs = g.Span;
        int rank = g.Rank;
        var st = TensorShape.BroadcastStrides(input.Shape, TensorShape.ContiguousStrides(input.Shape), g.Shape);
        if (ts.Length == 1) { ts[0] += TensorPrimitives.Sum(gs); return; }
        int inner = g.Shape[rank - 1];
        bool row = st[rank - 1] != 0 || inner == 1;
        Span<int> index = stackalloc int[rank];
        int rows = gs.Length / Math.Max(inner, 1);
        for (int r = 0; r < rows; r++)
        {
            int o = 0;
            for (int d = 0; d < rank - 1; d++) o += index[d] * st[d];
            var gr = gs.Slice(r * inner, inner);
            if (row) TensorPrimitives.Add(ts.Slice(o, inner), gr, ts.Slice(o, inner));
            else ts[o] += TensorPrimitives.Sum(gr);
            for (int d = rank - 2; d >= 0; d--)
            {
                if (++index[d] < g.Shape[d]) break;
                index[d] = 0;
            }
        }
    }
}

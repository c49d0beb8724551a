using Feynman.Autograd;

namespace Feynman.Tensors;

/// <summary>Operators and PyTorch-style instance methods; each forwards to <see cref="Ops"/>.</summary>
public sealed partial class Tensor
{
    public static Tensor operator +(Tensor a, Tensor b) => Ops.Add(a, b);
    public static Tensor operator -(Tensor a, Tensor b) => Ops.Sub(a, b);
    public static Tensor operator *(Tensor a, Tensor b) => Ops.Mul(a, b);
    public static Tensor operator /(Tensor a, Tensor b) => Ops.Div(a, b);
    public static Tensor operator +(Tensor a, float s) => Ops.Add(a, s);
    public static Tensor operator -(Tensor a, float s) => Ops.Sub(a, s);
    public static Tensor operator *(Tensor a, float s) => Ops.Mul(a, s);
    public static Tensor operator /(Tensor a, float s) => Ops.Div(a, s);
    public static Tensor operator +(float s, Tensor a) => Ops.Add(a, s);
    public static Tensor operator -(float s, Tensor a) => Ops.RSub(s, a);
    public static Tensor operator *(float s, Tensor a) => Ops.Mul(a, s);
    public static Tensor operator -(Tensor a) => Ops.Neg(a);

    public Tensor Reshape(params ReadOnlySpan<int> shape) => Ops.Reshape(this, shape);
    public Tensor View(params ReadOnlySpan<int> shape) => Ops.Reshape(this, shape);
    public Tensor Flatten(int startDim = 0, int endDim = -1) => Ops.Flatten(this, startDim, endDim);
    public Tensor Transpose(int dim0, int dim1) => Ops.Transpose(this, dim0, dim1);
    public Tensor T() => Ops.Transpose(this, -2, -1);
    public Tensor Permute(params int[] dims) => Ops.Permute(this, dims);
    public Tensor Narrow(int dim, int start, int length) => Ops.Narrow(this, dim, start, length);
    public Tensor Expand(params int[] shape) => Ops.Expand(this, shape);
    public Tensor Unsqueeze(int dim) => Ops.Unsqueeze(this, dim);
    public Tensor Squeeze(int dim) => Ops.Squeeze(this, dim);
    public Tensor Contiguous() => Ops.Contiguous(this);
    public Tensor Clone() => Ops.Clone(this);
    public Tensor MatMul(Tensor other) => Ops.MatMul(this, other);
    public Tensor Relu() => Ops.Relu(this);
    public Tensor Sum() => Ops.Sum(this);
    public Tensor Mean() => Ops.Mean(this);
}

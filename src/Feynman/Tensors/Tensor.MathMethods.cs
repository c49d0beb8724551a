using Feynman.Autograd;

namespace Feynman.Tensors;

/// <summary>PyTorch-style instance methods for elementwise math, reductions along a dimension, softmax and indexing; each forwards to <see cref="Ops"/>.</summary>
public sealed partial class Tensor
{
    public Tensor Exp() => Ops.Exp(this);
    public Tensor Log() => Ops.Log(this);
    public Tensor Sqrt() => Ops.Sqrt(this);
    public Tensor Pow(float exponent) => Ops.Pow(this, exponent);
    public Tensor Abs() => Ops.Abs(this);
    public Tensor Tanh() => Ops.Tanh(this);
    public Tensor Sigmoid() => Ops.Sigmoid(this);
    public Tensor Gelu(bool approximateTanh = false) => Ops.Gelu(this, approximateTanh);
    public Tensor Clamp(float? min = null, float? max = null) => Ops.Clamp(this, min, max);

    public Tensor Sum(int dim, bool keepDim = false) => Ops.Sum(this, dim, keepDim);
    public Tensor Mean(int dim, bool keepDim = false) => Ops.Mean(this, dim, keepDim);
    public Tensor Max(int dim, bool keepDim = false) => Ops.Max(this, dim, keepDim);
    public Tensor Min(int dim, bool keepDim = false) => Ops.Min(this, dim, keepDim);
    public Tensor Var(int dim, int correction = 1, bool keepDim = false) => Ops.Var(this, dim, correction, keepDim);
    public int[] ArgMax(int dim) => Ops.ArgMax(this, dim);
    public int[] ArgMin(int dim) => Ops.ArgMin(this, dim);

    public Tensor Softmax(int dim) => Ops.Softmax(this, dim);
    public Tensor LogSoftmax(int dim) => Ops.LogSoftmax(this, dim);

    public Tensor Gather(int dim, int[] index, int[] indexShape) => Ops.Gather(this, dim, index, indexShape);
    public Tensor IndexSelect(int dim, int[] indices) => Ops.IndexSelect(this, dim, indices);
}

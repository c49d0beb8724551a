using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Runtime.Intrinsics;

namespace Feynman.Bench.Models;

/// <summary>
/// TEMPORARY stand-ins used by the benchmark until the engine has them: replace
/// <see cref="SoftmaxCrossEntropy"/> with Ops.CrossEntropy and <see cref="SgdMomentum"/> with Optim.Sgd.
/// Both are single fused passes, the shape the real ones should have.
/// </summary>
public static class TemporaryKernels
{
    /// <summary>Mean cross-entropy of softmax(logits) against labels; writes d(loss)/d(logits) in the same pass.</summary>
    public static float SoftmaxCrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int classes, Span<float> grad)
    {
        int rows = labels.Length;
        double total = 0;
        float invRows = 1f / rows;
        for (int r = 0; r < rows; r++)
        {
            var z = logits.Slice(r * classes, classes);
            var g = grad.Slice(r * classes, classes);
            float max = TensorPrimitives.Max(z);
            TensorPrimitives.Subtract(z, max, g);
            TensorPrimitives.Exp(g, g);
            float sum = TensorPrimitives.Sum(g);
            int label = labels[r];
            total += Math.Log(sum) - (z[label] - max);
            TensorPrimitives.Multiply(g, invRows / sum, g);
            g[label] -= invRows;
        }
        return (float)(total / rows);
    }

    /// <summary>PyTorch's SGD with momentum (no dampening): v = m·v + g; p -= lr·v, in one pass.</summary>
    public static void SgdMomentum(Span<float> param, ReadOnlySpan<float> grad, Span<float> velocity, float lr, float momentum)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vm = Vector256.Create(momentum);
            var vlr = Vector256.Create(lr);
            for (; i + 8 <= param.Length; i += 8)
            {
                var v = Vector256.Create(velocity.Slice(i, 8)) * vm + Vector256.Create(grad.Slice(i, 8));
                v.CopyTo(velocity.Slice(i, 8));
                (Vector256.Create((ReadOnlySpan<float>)param.Slice(i, 8)) - vlr * v).CopyTo(param.Slice(i, 8));
            }
        }
        for (; i < param.Length; i++)
        {
            velocity[i] = momentum * velocity[i] + grad[i];
            param[i] -= lr * velocity[i];
        }
    }
}

using Feynman.Tensors;
using Feynman.Tensors.Kernels;

namespace Feynman.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void ViewsShareStorageAndCopyOnlyWhenNeeded()
    {
        var x = Tensor.From([0f, 1, 2, 3, 4, 5], 2, 3);
        var r = x.Reshape(3, 2);
        Assert.Same(x.Storage, r.Storage);
        var t = x.T();
        Assert.Same(x.Storage, t.Storage);
        Assert.False(t.IsContiguous);
        Assert.Equal([0f, 3, 1, 4, 2, 5], t.ToArray());
        var c = t.Contiguous();
        Assert.NotSame(x.Storage, c.Storage);
        Assert.Equal(t.ToArray(), c.ToArray());
        Assert.Equal([1f, 2, 4, 5], x.Narrow(1, 1, 2).ToArray());
        Assert.Equal([7f, 8, 7, 8], Tensor.From([7f, 8], 1, 2).Expand(2, 2).ToArray());
    }

    [Fact]
    public void ShapeErrorsSayWhatIsWrong()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Reshape(4, 2));
        Assert.Contains("[2, 3]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3) + Tensor.Zeros(4));
        Assert.Contains("cannot be broadcast", ex.Message);
    }

    [Fact]
    public void ScopeReturnsBuffersAndRefusesUseAfterDispose()
    {
        Tensor inner;
        Tensor kept;
        using (TensorScope.Begin())
        {
            inner = Tensor.Ones(4);
            kept = (Tensor.Ones(4) * 3f).MoveToOuterScope();
        }
        Assert.True(inner.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => inner.Span[0]);
        Assert.Equal([3f, 3f, 3f, 3f], kept.ToArray());
    }

    [Fact]
    public void GeneratorIsDeterministicAndRestorable()
    {
        var a = new Generator(42);
        var b = new Generator(42);
        Assert.Equal(Enumerable.Range(0, 5).Select(_ => a.NextNormal()), Enumerable.Range(0, 5).Select(_ => b.NextNormal()));
        var state = a.GetState();
        var next = a.NextFloat();
        b.SetState(state);
        Assert.Equal(next, b.NextFloat());
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void ManagedAndOpenBlasGemmAgreeWithNaiveProduct(bool transA, bool transB)
    {
        int m = 37, n = 29, k = 41;
        var rng = new Generator(7);
        var a = new float[m * k];
        var b = new float[k * n];
        rng.FillUniform(a, -1, 1);
        rng.FillUniform(b, -1, 1);
        var c0 = new float[m * n];
        rng.FillUniform(c0, -1, 1);
        var expected = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int q = 0; q < k; q++)
                    s += (transA ? a[q * m + i] : a[i * k + q]) * (double)(transB ? b[j * k + q] : b[q * n + j]);
                expected[i * n + j] = 0.5 * s + 2.0 * c0[i * n + j];
            }
        var backends = new List<IGemmBackend> { new ManagedGemm(2) };
        var blas = OpenBlasGemm.TryLoad(out _);
        if (blas != null) backends.Add(blas);
        foreach (var backend in backends)
        {
            var c = (float[])c0.Clone();
            unsafe
            {
                fixed (float* pa = a, pb = b, pc = c)
                    backend.Sgemm(transA, transB, m, n, k, 0.5f, pa, transA ? m : k, pb, transB ? k : n, 2f, pc, n);
            }
            for (int i = 0; i < c.Length; i++) Assert.True(Math.Abs(c[i] - expected[i]) < 1e-4, $"{backend.Name} [{i}]: {c[i]} vs {expected[i]}");
        }
    }
}

namespace Feynman.Tensors.Kernels;

/// <summary>
/// Row-major single-precision GEMM: C = alpha·op(A)·op(B) + beta·C, with op(X) = X or Xᵀ.
/// A is m×k after op, B is k×n after op; lda/ldb/ldc are row strides of the stored matrices.
/// beta = 0 overwrites C without reading it (so C need not be initialised); beta = 1 accumulates.
/// </summary>
public unsafe interface IGemmBackend
{
    /// <summary>Short name shown by <c>feynman --version</c> ("openblas", "managed").</summary>
    string Name { get; }

    /// <summary>Threads this backend uses for one large GEMM.</summary>
    int Threads { get; }

    void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
               float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);
}

using Feynman.Tensors;

namespace Feynman.Autograd;

/// <summary>
/// Numerical gradient check: compares the gradients backward computes with central differences of
/// a random projection of the output, L = Σ w·f(x). float32 limits the precision, so inputs should be
/// of moderate size and the step large enough (default 1e-2) to rise above rounding.
/// </summary>
public static class GradCheck
{
    /// <summary>The worst mismatch found, with where it was.</summary>
    public readonly record struct Result(double MaxError, int Input, int Index, double Analytic, double Numeric)
    {
        public override string ToString() =>
            $"max error {MaxError:G4} at input {Input}, element {Index}: analytic {Analytic:G6}, numeric {Numeric:G6}";
    }

    /// <summary>
    /// Checks every input with RequiresGrad. The error of one element is
    /// |analytic − numeric| / (atol + rtol·|numeric|); the check passes when the result's MaxError ≤ 1.
    /// </summary>
    public static Result Run(Func<Tensor[], Tensor> f, Tensor[] inputs, float eps = 1e-2f, double atol = 1e-3, double rtol = 1e-2, ulong seed = 1234)
    {
        foreach (var t in inputs) if (!t.IsContiguous) throw new ArgumentException("gradcheck inputs must be contiguous.");
        var rng = new Generator(seed);
        foreach (var t in inputs) t.Grad = null;

        var y = f(inputs);
        var w = Tensor.Uniform(rng, -1f, 1f, y.Shape);
        y.Backward(w);
        var analytic = inputs.Select(t => t.RequiresGrad ? t.Grad?.ToArray() ?? new float[t.Count] : null).ToArray();

        var worst = new Result(0, -1, -1, 0, 0);
        using (GradMode.NoGrad())
        {
            var wv = w.ToArray();
            double Loss()
            {
                var o = f(inputs).ToArray();
                double s = 0;
                for (int i = 0; i < o.Length; i++) s += (double)o[i] * wv[i];
                return s;
            }
            for (int n = 0; n < inputs.Length; n++)
            {
                if (analytic[n] is not { } an) continue;
                var data = inputs[n].Span;
                for (int i = 0; i < data.Length; i++)
                {
                    float saved = data[i];
                    data[i] = saved + eps;
                    double plus = Loss();
                    data[i] = saved - eps;
                    double minus = Loss();
                    data[i] = saved;
                    double numeric = (plus - minus) / (2 * eps);
                    double err = Math.Abs(an[i] - numeric) / (atol + rtol * Math.Abs(numeric));
                    if (err > worst.MaxError) worst = new Result(err, n, i, an[i], numeric);
                }
            }
        }
        return worst;
    }
}

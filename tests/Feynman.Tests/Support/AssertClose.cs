using Feynman.Tensors;

namespace Feynman.Tests.Support;

/// <summary>Element-wise closeness, as torch.allclose: |a − e| ≤ atol + rtol·|e|, with the worst element in the message.</summary>
public static class AssertClose
{
    public static void Equal(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double rtol = 1e-4, double atol = 1e-5, string what = "")
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}.");
        int worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs((double)actual[i] - expected[i]);
            double ratio = diff / (atol + rtol * Math.Abs(expected[i]));
            if (double.IsNaN(ratio) || ratio > worstRatio) { worstRatio = double.IsNaN(ratio) ? double.PositiveInfinity : ratio; worst = i; }
        }
        Assert.True(worstRatio <= 1, $"{what}: element {worst} is {(worst >= 0 ? actual[worst] : 0)}, expected {(worst >= 0 ? expected[worst] : 0)} (rtol {rtol}, atol {atol}).");
    }

    public static void Equal(float[] expected, Tensor actual, double rtol = 1e-4, double atol = 1e-5, string what = "") =>
        Equal(expected, actual.ToArray(), rtol, atol, what);
}

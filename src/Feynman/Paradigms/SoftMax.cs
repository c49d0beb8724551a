namespace Feynman.Paradigms;

/// <summary>Row-wise softmax on plain spans (for teacher targets, outside autograd).</summary>
public static class SoftMax
{
    /// <summary>softmax(logits / T) for each row of <paramref name="classes"/> values.</summary>
    public static void RowsAtTemperature(ReadOnlySpan<float> logits, int classes, float temperature, Span<float> destination)
    {
        if (temperature <= 0) throw new ArgumentOutOfRangeException(nameof(temperature), $"temperature {temperature} must be positive.");
        float inv = 1f / temperature;
        for (int r = 0; r < logits.Length / classes; r++)
        {
            var src = logits.Slice(r * classes, classes);
            var dst = destination.Slice(r * classes, classes);
            float max = TensorPrimitives.Max(src);
            double sum = 0;
            for (int c = 0; c < classes; c++)
            {
                float e = MathF.Exp((src[c] - max) * inv);
                dst[c] = e;
                sum += e;
            }
            TensorPrimitives.Multiply(dst, (float)(1 / sum), dst);
        }
    }
}

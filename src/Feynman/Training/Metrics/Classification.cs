namespace Feynman.Training.Metrics;

/// <summary>
/// Classification metrics on plain arrays: scores (logits or probabilities) as float[N * C] row-major,
/// labels as int[N]. Probabilities are expected where the metric needs them (NLL, ECE, reliability).
/// </summary>
public static class Classification
{
    /// <summary>The index of the largest score of each row (the first one on ties, as torch.argmax).</summary>
    public static int[] Predictions(ReadOnlySpan<float> scores, int classes)
    {
        int n = Rows(scores, classes, labels: -1);
        var result = new int[n];
        for (int i = 0; i < n; i++) result[i] = TensorPrimitives.IndexOfMax(scores.Slice(i * classes, classes));
        return result;
    }

    /// <summary>The fraction of rows whose largest score is at the label.</summary>
    public static double Accuracy(ReadOnlySpan<float> scores, int classes, ReadOnlySpan<int> labels)
    {
        int n = Rows(scores, classes, labels.Length);
        if (n == 0) return double.NaN;
        int correct = 0;
        for (int i = 0; i < n; i++)
            if (TensorPrimitives.IndexOfMax(scores.Slice(i * classes, classes)) == labels[i]) correct++;
        return (double)correct / n;
    }

    /// <summary>Mean of -log p(label); probabilities are clamped at 1e-12 so a confident miss is large, not infinite.</summary>
    public static double NegativeLogLikelihood(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels)
    {
        int n = Rows(probabilities, classes, labels.Length);
        if (n == 0) return double.NaN;
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            CheckLabel(labels[i], classes, i);
            sum -= Math.Log(Math.Max(probabilities[i * classes + labels[i]], 1e-12));
        }
        return sum / n;
    }

    /// <summary>Row = true class, column = predicted class.</summary>
    public static ConfusionMatrix Confusion(ReadOnlySpan<float> scores, int classes, ReadOnlySpan<int> labels)
    {
        int n = Rows(scores, classes, labels.Length);
        var matrix = new ConfusionMatrix(classes);
        for (int i = 0; i < n; i++)
        {
            CheckLabel(labels[i], classes, i);
            matrix.Add(labels[i], TensorPrimitives.IndexOfMax(scores.Slice(i * classes, classes)));
        }
        return matrix;
    }

    /// <summary>
    /// Reliability-diagram bins (Guo et al. 2017): each sample's confidence is its largest probability;
    /// bin m holds confidences in ((m)/M, (m+1)/M] (the first bin also holds 0). Per bin: mean confidence,
    /// accuracy, count. Empty bins have count 0 and NaN confidence and accuracy.
    /// </summary>
    public static ReliabilityBin[] Reliability(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels, int bins = 15)
    {
        if (bins <= 0) throw new ArgumentOutOfRangeException(nameof(bins), $"bin count {bins} must be positive.");
        int n = Rows(probabilities, classes, labels.Length);
        var confidenceSum = new double[bins];
        var correct = new int[bins];
        var count = new int[bins];
        for (int i = 0; i < n; i++)
        {
            var row = probabilities.Slice(i * classes, classes);
            int predicted = TensorPrimitives.IndexOfMax(row);
            double confidence = row[predicted];
            int bin = Math.Clamp((int)Math.Ceiling(confidence * bins) - 1, 0, bins - 1);
            confidenceSum[bin] += confidence;
            count[bin]++;
            if (predicted == labels[i]) correct[bin]++;
        }
        var result = new ReliabilityBin[bins];
        for (int m = 0; m < bins; m++)
            result[m] = new ReliabilityBin((double)m / bins, (double)(m + 1) / bins,
                count[m] == 0 ? double.NaN : confidenceSum[m] / count[m],
                count[m] == 0 ? double.NaN : (double)correct[m] / count[m],
                count[m]);
        return result;
    }

    /// <summary>Expected calibration error: Σ_m |B_m|/N · |acc(B_m) − conf(B_m)| over <paramref name="bins"/> equal-width bins (default 15).</summary>
    public static double ExpectedCalibrationError(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels, int bins = 15) =>
        ExpectedCalibrationError(Reliability(probabilities, classes, labels, bins));

    /// <summary>The ECE of already computed reliability bins.</summary>
    public static double ExpectedCalibrationError(IReadOnlyList<ReliabilityBin> bins)
    {
        long total = bins.Sum(b => (long)b.Count);
        if (total == 0) return double.NaN;
        double ece = 0;
        foreach (var b in bins)
            if (b.Count > 0) ece += (double)b.Count / total * Math.Abs(b.Accuracy - b.Confidence);
        return ece;
    }

    private static int Rows(ReadOnlySpan<float> scores, int classes, int labels)
    {
        if (classes <= 0) throw new ArgumentOutOfRangeException(nameof(classes), $"class count {classes} must be positive.");
        if (scores.Length % classes != 0)
            throw new ArgumentException($"{scores.Length} scores are not a whole number of rows of {classes} classes.");
        int n = scores.Length / classes;
        if (labels >= 0 && labels != n)
            throw new ArgumentException($"{n} rows of scores ({scores.Length} values / {classes} classes) but {labels} labels.");
        return n;
    }

    private static void CheckLabel(int label, int classes, int row)
    {
        if ((uint)label >= (uint)classes)
            throw new ArgumentOutOfRangeException(nameof(label), $"label {label} of row {row} is outside 0..{classes - 1}.");
    }
}

namespace Feynman.Training.Metrics;

/// <summary>Counts of (true class, predicted class) pairs: row = true class, column = predicted class.</summary>
public sealed class ConfusionMatrix
{
    private readonly long[] counts;

    public ConfusionMatrix(int classes)
    {
        if (classes <= 0) throw new ArgumentOutOfRangeException(nameof(classes), $"class count {classes} must be positive.");
        Classes = classes;
        counts = new long[classes * classes];
    }

    public int Classes { get; }

    public long this[int actual, int predicted] => counts[actual * Classes + predicted];

    /// <summary>The counts, row-major [actual, predicted].</summary>
    public ReadOnlySpan<long> Counts => counts;

    public long Total => counts.Sum();

    public void Add(int actual, int predicted, long count = 1)
    {
        if ((uint)actual >= (uint)Classes || (uint)predicted >= (uint)Classes)
            throw new ArgumentOutOfRangeException(nameof(actual), $"class pair ({actual}, {predicted}) is outside 0..{Classes - 1}.");
        counts[actual * Classes + predicted] += count;
    }

    /// <summary>Adds another matrix's counts (e.g. from another batch).</summary>
    public void Add(ConfusionMatrix other)
    {
        if (other.Classes != Classes) throw new ArgumentException($"cannot add a {other.Classes}-class confusion matrix to a {Classes}-class one.");
        for (int i = 0; i < counts.Length; i++) counts[i] += other.counts[i];
    }

    public double Accuracy
    {
        get
        {
            long total = Total, diagonal = 0;
            for (int c = 0; c < Classes; c++) diagonal += this[c, c];
            return total == 0 ? double.NaN : (double)diagonal / total;
        }
    }

    /// <summary>Of the samples of class c, the fraction predicted as c (NaN when there are none).</summary>
    public double Recall(int c)
    {
        long row = 0;
        for (int p = 0; p < Classes; p++) row += this[c, p];
        return row == 0 ? double.NaN : (double)this[c, c] / row;
    }

    /// <summary>Of the samples predicted as c, the fraction that are c (NaN when there are none).</summary>
    public double Precision(int c)
    {
        long column = 0;
        for (int a = 0; a < Classes; a++) column += this[a, c];
        return column == 0 ? double.NaN : (double)this[c, c] / column;
    }

    /// <summary>
    /// The class predicted for every sample when the model gave one answer to all of them (a collapsed model, e.g.
    /// one whose ReLUs died at too high a learning rate), else null; null too for an empty matrix or one class.
    /// </summary>
    public int? SinglePredictedClass
    {
        get
        {
            if (Classes < 2 || Total == 0) return null;
            int? only = null;
            for (int p = 0; p < Classes; p++)
            {
                long column = 0;
                for (int a = 0; a < Classes; a++) column += this[a, p];
                if (column == 0) continue;
                if (only != null) return null;
                only = p;
            }
            return only;
        }
    }

    /// <summary>
    /// The class predicted for at least <paramref name="share"/> of all samples, else null: a nearly collapsed
    /// model (an MPL teacher from scratch was seen predicting one class for 9,921 of 10,000 test images, which
    /// <see cref="SinglePredictedClass"/> does not name).
    /// </summary>
    public int? DominantPredictedClass(double share)
    {
        if (Classes < 2 || Total == 0) return null;
        for (int p = 0; p < Classes; p++)
        {
            long column = 0;
            for (int a = 0; a < Classes; a++) column += this[a, p];
            if (column >= share * Total) return p;
        }
        return null;
    }

    /// <summary>The counts as a jagged array [actual][predicted] (for JSON and reports).</summary>
    public long[][] ToRows()
    {
        var rows = new long[Classes][];
        for (int a = 0; a < Classes; a++) rows[a] = counts.AsSpan(a * Classes, Classes).ToArray();
        return rows;
    }
}

namespace Feynman.Paradigms.ActiveLearning;

/// <summary>
/// Greedy k-center selection (Sener and Savarese 2018, core-set): repeatedly take the point farthest
/// from everything chosen or already labelled, so a batch covers the embedding space instead of piling
/// up in one uncertain region. Ties go to the lower row.
/// </summary>
public static class KCenterGreedy
{
    /// <summary>
    /// Rows of <paramref name="points"/> ([rows × dimension]) to add, in order of choice. <paramref name="centers"/>
    /// are rows already covered (the labelled set), never chosen. With no centers the first choice is the
    /// row nearest the mean.
    /// </summary>
    public static int[] Select(ReadOnlySpan<float> points, int dimension, IReadOnlyCollection<int> centers, int count)
    {
        if (dimension <= 0 || points.Length % dimension != 0)
            throw new ArgumentException($"{points.Length} values are not rows of dimension {dimension}.");
        int rows = points.Length / dimension;
        var minDistance = new double[rows];
        Array.Fill(minDistance, double.PositiveInfinity);
        var available = new bool[rows];
        Array.Fill(available, true);
        foreach (int c in centers)
        {
            if ((uint)c >= (uint)rows) throw new ArgumentOutOfRangeException(nameof(centers), $"center row {c} is outside 0..{rows - 1}.");
            available[c] = false;
        }
        foreach (int c in centers) Update(points, dimension, c, minDistance);

        int free = available.Count(a => a);
        var picked = new int[Math.Min(count, free)];
        for (int k = 0; k < picked.Length; k++)
        {
            int best = -1;
            if (k == 0 && centers.Count == 0) best = NearestToMean(points, dimension, rows);
            else
                for (int i = 0; i < rows; i++)
                    if (available[i] && (best < 0 || minDistance[i] > minDistance[best])) best = i;
            picked[k] = best;
            available[best] = false;
            Update(points, dimension, best, minDistance);
        }
        return picked;
    }

    private static void Update(ReadOnlySpan<float> points, int dimension, int center, double[] minDistance)
    {
        var c = points.Slice(center * dimension, dimension);
        for (int i = 0; i < minDistance.Length; i++)
        {
            double d = TensorPrimitives.Distance(points.Slice(i * dimension, dimension), c);
            if (d < minDistance[i]) minDistance[i] = d;
        }
    }

    private static int NearestToMean(ReadOnlySpan<float> points, int dimension, int rows)
    {
        var mean = new float[dimension];
        for (int i = 0; i < rows; i++) TensorPrimitives.Add(mean, points.Slice(i * dimension, dimension), mean);
        TensorPrimitives.Multiply(mean, 1f / rows, mean);
        int best = 0;
        double bestDistance = double.PositiveInfinity;
        for (int i = 0; i < rows; i++)
        {
            double d = TensorPrimitives.Distance(points.Slice(i * dimension, dimension), mean);
            if (d < bestDistance) (best, bestDistance) = (i, d);
        }
        return best;
    }
}

using Feynman.Tensors;

namespace Feynman.Paradigms.ActiveLearning;

/// <summary>
/// Weighted k-means (k-means++ seeding, then Lloyd iterations) that returns one representative row per
/// cluster: the member nearest its center. Used to spread a batch over the uncertain region (Zhdanov 2019,
/// diverse mini-batch active learning) instead of taking many near-duplicates from one corner of it.
/// </summary>
public static class WeightedKMeans
{
    /// <summary>
    /// Up to <paramref name="k"/> distinct rows of <paramref name="points"/> ([rows × dimension]), one per non-empty
    /// cluster, clusters with the most weight first; when clusters come out empty the remaining places go to the
    /// heaviest rows not yet chosen. Deterministic given <paramref name="rng"/>.
    /// </summary>
    public static int[] Representatives(ReadOnlySpan<float> points, int dimension, ReadOnlySpan<double> weights, int k, Generator rng, int iterations = 10)
    {
        if (dimension <= 0 || points.Length % dimension != 0)
            throw new ArgumentException($"{points.Length} values are not rows of dimension {dimension}.");
        int rows = points.Length / dimension;
        if (weights.Length != rows) throw new ArgumentException($"{weights.Length} weights for {rows} rows.");
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        var w = new double[rows];
        for (int i = 0; i < rows; i++) w[i] = double.IsFinite(weights[i]) && weights[i] > 0 ? weights[i] : 1e-12;
        if (k >= rows) return [.. Enumerable.Range(0, rows).OrderByDescending(i => w[i]).ThenBy(i => i)];
        if (k == 0) return [];

        // k-means++: the heaviest row first, then rows drawn with probability ∝ weight × squared distance to the nearest center.
        var centers = new float[k * dimension];
        var nearest = new double[rows];
        int first = 0;
        for (int i = 1; i < rows; i++) if (w[i] > w[first]) first = i;
        points.Slice(first * dimension, dimension).CopyTo(centers);
        for (int i = 0; i < rows; i++) nearest[i] = SquaredDistance(points, dimension, i, centers, 0);
        for (int c = 1; c < k; c++)
        {
            double total = 0;
            for (int i = 0; i < rows; i++) total += w[i] * nearest[i];
            int chosen = rows - 1;
            if (total > 0)
            {
                double u = rng.NextDouble() * total, acc = 0;
                for (int i = 0; i < rows; i++)
                {
                    acc += w[i] * nearest[i];
                    if (acc > u) { chosen = i; break; }
                }
            }
            else chosen = rng.NextInt(rows);
            points.Slice(chosen * dimension, dimension).CopyTo(centers.AsSpan(c * dimension, dimension));
            for (int i = 0; i < rows; i++) nearest[i] = Math.Min(nearest[i], SquaredDistance(points, dimension, i, centers, c));
        }

        var assignment = new int[rows];
        var sums = new double[k * dimension];
        var mass = new double[k];
        for (int it = 0; it <= iterations; it++)
        {
            bool changed = Assign(points, dimension, centers, k, assignment, it == 0);
            if (it == iterations || (!changed && it > 0)) break;
            Array.Clear(sums);
            Array.Clear(mass);
            for (int i = 0; i < rows; i++)
            {
                int c = assignment[i];
                mass[c] += w[i];
                var row = points.Slice(i * dimension, dimension);
                for (int d = 0; d < dimension; d++) sums[c * dimension + d] += w[i] * row[d];
            }
            for (int c = 0; c < k; c++)
                if (mass[c] > 0)
                    for (int d = 0; d < dimension; d++) centers[c * dimension + d] = (float)(sums[c * dimension + d] / mass[c]);
        }

        // One representative per cluster: the member nearest its center.
        var best = new int[k];
        var bestDistance = new double[k];
        Array.Fill(best, -1);
        Array.Clear(mass);
        for (int i = 0; i < rows; i++)
        {
            int c = assignment[i];
            mass[c] += w[i];
            double d = SquaredDistance(points, dimension, i, centers, c);
            if (best[c] < 0 || d < bestDistance[c]) (best[c], bestDistance[c]) = (i, d);
        }
        var picked = Enumerable.Range(0, k).Where(c => best[c] >= 0).OrderByDescending(c => mass[c]).ThenBy(c => c).Select(c => best[c]).ToList();
        if (picked.Count < k)
        {
            var taken = new HashSet<int>(picked);
            picked.AddRange(Enumerable.Range(0, rows).Where(i => !taken.Contains(i)).OrderByDescending(i => w[i]).ThenBy(i => i).Take(k - picked.Count));
        }
        return [.. picked];
    }

    private static bool Assign(ReadOnlySpan<float> points, int dimension, float[] centers, int k, int[] assignment, bool first)
    {
        bool changed = false;
        for (int i = 0; i < assignment.Length; i++)
        {
            int best = 0;
            double bestDistance = double.PositiveInfinity;
            for (int c = 0; c < k; c++)
            {
                double d = SquaredDistance(points, dimension, i, centers, c);
                if (d < bestDistance) (best, bestDistance) = (c, d);
            }
            if (first || assignment[i] != best) changed = true;
            assignment[i] = best;
        }
        return changed;
    }

    private static double SquaredDistance(ReadOnlySpan<float> points, int dimension, int row, float[] centers, int center)
    {
        double d = TensorPrimitives.Distance(points.Slice(row * dimension, dimension), centers.AsSpan(center * dimension, dimension));
        return d * d;
    }
}

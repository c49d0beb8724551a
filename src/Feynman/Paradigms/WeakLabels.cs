using Feynman.Data;

namespace Feynman.Paradigms;

/// <summary>Helpers shared by the weak-to-strong lessons: the weak supervisor's targets for a batch.</summary>
public static class WeakLabels
{
    /// <summary>The weak teacher's probabilities (T = 1) for the batch, [B·C] row-major, into a reused buffer.</summary>
    public static float[] Probabilities(ITeacher weak, Batch batch, ref float[] buffer)
    {
        int n = batch.Size * weak.Classes;
        if (buffer.Length != n) buffer = new float[n];
        weak.SoftTargets(batch, 1f, buffer);
        return buffer;
    }

    /// <summary>argmax of each row of <paramref name="probabilities"/>.</summary>
    public static int[] Argmax(ReadOnlySpan<float> probabilities, int classes)
    {
        var labels = new int[probabilities.Length / classes];
        for (int i = 0; i < labels.Length; i++) labels[i] = TensorPrimitives.IndexOfMax(probabilities.Slice(i * classes, classes));
        return labels;
    }

    /// <summary>
    /// Hardens the student's predictions so that the batch's class balance matches the weak labels'
    /// (Burns et al. 2023, the threshold of their confidence loss). Class c receives round(B·mean_i w_ic)
    /// samples (largest remainders, so the counts sum to B); (sample, class) pairs are then taken in
    /// decreasing order of the student's probability, each sample going to the first class with room.
    /// With two classes this is Burns et al.'s rule: class 1 goes to the samples whose p(class 0) lies
    /// below its quantile at the weak labels' mean of class 1.
    /// </summary>
    public static int[] HardenToWeakBalance(ReadOnlySpan<float> studentProbabilities, ReadOnlySpan<float> weakProbabilities, int classes)
    {
        int n = studentProbabilities.Length / classes;
        if (weakProbabilities.Length != studentProbabilities.Length)
            throw new ArgumentException($"student probabilities ({studentProbabilities.Length}) and weak probabilities ({weakProbabilities.Length}) differ in size.");
        var quota = ClassQuota(weakProbabilities, classes, n);
        var order = new int[n * classes];
        var p = studentProbabilities.ToArray();
        for (int k = 0; k < order.Length; k++) order[k] = k;
        // Ties go to the earlier (sample, class) pair, so equal inputs always harden the same way.
        Array.Sort(order, (x, y) => p[x] != p[y] ? p[y].CompareTo(p[x]) : x.CompareTo(y));
        var hard = new int[n];
        Array.Fill(hard, -1);
        int assigned = 0;
        foreach (int k in order)
        {
            int i = k / classes, c = k % classes;
            if (hard[i] >= 0 || quota[c] == 0) continue;
            hard[i] = c;
            quota[c]--;
            if (++assigned == n) break;
        }
        return hard;
    }

    /// <summary>How many of <paramref name="n"/> samples each class gets: round(n·mean weak probability), summing to n.</summary>
    public static int[] ClassQuota(ReadOnlySpan<float> weakProbabilities, int classes, int n)
    {
        var mean = new double[classes];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < classes; c++) mean[c] += weakProbabilities[i * classes + c];
        var quota = new int[classes];
        var remainder = new double[classes];
        int total = 0;
        for (int c = 0; c < classes; c++)
        {
            double share = mean[c]; // mean·n = sum of probabilities
            quota[c] = (int)Math.Floor(share);
            remainder[c] = share - quota[c];
            total += quota[c];
        }
        foreach (int c in Enumerable.Range(0, classes).OrderByDescending(c => remainder[c]).ThenBy(c => c))
        {
            if (total >= n) break;
            quota[c]++;
            total++;
        }
        return quota;
    }
}

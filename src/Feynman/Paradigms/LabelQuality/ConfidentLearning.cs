namespace Feynman.Paradigms.LabelQuality;

/// <summary>
/// Confident learning (Northcutt, Jiang and Chuang 2021) as cleanlab's <c>find_label_issues</c> with
/// <c>filter_by="prune_by_noise_rate"</c> computes it: per-class thresholds (mean self-confidence), the
/// confident joint calibrated to the label counts, at least one sample kept per class, and per off-diagonal
/// cell (given k, true j) the samples of given label k with the largest p(j) − p(k) flagged. Probabilities
/// must be out-of-sample (e.g. <see cref="OutOfFold"/>). reference/confident_learning.py mirrors this in Python.
/// </summary>
public static class ConfidentLearning
{
    /// <summary>t_j = mean of p(j) over the samples labelled j (NaN for a class no sample has).</summary>
    public static double[] PerClassThresholds(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels)
    {
        Check(probabilities, classes, labels);
        var sum = new double[classes];
        var count = new int[classes];
        for (int i = 0; i < labels.Length; i++)
        {
            sum[labels[i]] += probabilities[i * classes + labels[i]];
            count[labels[i]]++;
        }
        var t = new double[classes];
        for (int j = 0; j < classes; j++) t[j] = count[j] > 0 ? sum[j] / count[j] : double.NaN;
        return t;
    }

    /// <summary>
    /// The estimated true label of each sample as cleanlab guesses it (−1 when no class reaches its threshold):
    /// with several classes at or above their threshold, the likeliest of those; with one, the overall argmax.
    /// </summary>
    public static int[] ConfidentLabels(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<double> thresholds)
    {
        int n = probabilities.Length / classes;
        var guess = new int[n];
        for (int i = 0; i < n; i++)
        {
            var p = probabilities.Slice(i * classes, classes);
            int confident = 0, confidentArgmax = -1, argmax = 0;
            for (int j = 0; j < classes; j++)
            {
                if (p[j] > p[argmax]) argmax = j;
                // cleanlab compares with thresholds − 1e-6 so a sample exactly at its class mean counts.
                if (!double.IsNaN(thresholds[j]) && p[j] >= thresholds[j] - 1e-6)
                {
                    confident++;
                    if (confidentArgmax < 0 || p[j] > p[confidentArgmax]) confidentArgmax = j;
                }
            }
            guess[i] = confident == 0 ? -1 : confident > 1 ? confidentArgmax : argmax;
        }
        return guess;
    }

    /// <summary>The confident joint C[given][true] (counts), calibrated by default as cleanlab does.</summary>
    public static long[][] ConfidentJoint(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels, bool calibrate = true)
    {
        Check(probabilities, classes, labels);
        var thresholds = PerClassThresholds(probabilities, classes, labels);
        var guess = ConfidentLabels(probabilities, classes, thresholds);
        var cj = new long[classes][];
        for (int j = 0; j < classes; j++) cj[j] = new long[classes];
        for (int i = 0; i < labels.Length; i++)
            if (guess[i] >= 0) cj[labels[i]][guess[i]]++;
        return calibrate ? Calibrate(cj, LabelCounts(labels, classes)) : cj;
    }

    /// <summary>
    /// Scales each row to its label count, the whole to the sample count, and rounds keeping row totals
    /// (cleanlab's calibrate_confident_joint). A row with no confident sample stays zero.
    /// </summary>
    public static long[][] Calibrate(long[][] confidentJoint, long[] labelCounts)
    {
        int k = confidentJoint.Length;
        var m = new double[k][];
        double total = 0;
        for (int i = 0; i < k; i++)
        {
            long rowSum = confidentJoint[i].Sum();
            m[i] = new double[k];
            for (int j = 0; j < k; j++) m[i][j] = rowSum > 0 ? (double)confidentJoint[i][j] / rowSum * labelCounts[i] : 0;
            total += m[i].Sum();
        }
        double n = labelCounts.Sum();
        if (total > 0)
            foreach (var row in m)
                for (int j = 0; j < k; j++) row[j] = row[j] / total * n;
        return [.. m.Select(RoundPreservingSum)];
    }

    /// <summary>Rounds to integers whose sum is the rounded sum, adjusting the entries that lost most (cleanlab's round_preserving_sum).</summary>
    public static long[] RoundPreservingSum(double[] values)
    {
        var ints = values.Select(v => Math.Round(v, MidpointRounding.ToEven)).ToArray();
        double target = Math.Round(values.Sum(), MidpointRounding.ToEven);
        double sum = Math.Round(ints.Sum(), MidpointRounding.ToEven);
        while (Math.Abs(sum - target) > 1e-6)
        {
            double diff = Math.Round(target - sum, MidpointRounding.ToEven);
            int increment = diff < 0 ? -1 : 1;
            int changes = Math.Min((int)Math.Abs(diff), values.Length);
            // Largest (value − rounded) first; numpy's argsort()[::-1] puts later indices first among ties.
            var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i] - ints[i]).ThenBy(i => i).Reverse().Take(changes);
            foreach (int i in order) ints[i] += increment;
            sum = Math.Round(ints.Sum(), MidpointRounding.ToEven);
        }
        return [.. ints.Select(v => (long)v)];
    }

    /// <summary>
    /// cleanlab's _keep_at_least_n_per_class on the prune-count matrix [true][given]: raise each diagonal
    /// entry to at least <paramref name="n"/>, take what was added evenly from the column's non-zero noise
    /// cells, and round keeping row totals.
    /// </summary>
    public static long[][] KeepAtLeastNPerClass(long[][] pruneCounts, int n = 1)
    {
        int k = pruneCounts.Length;
        var m = new double[k][];
        for (int i = 0; i < k; i++) m[i] = [.. pruneCounts[i].Select(v => (double)v)];
        for (int col = 0; col < k; col++)
        {
            double diagonal = m[col][col];
            double raised = Math.Max(diagonal, n);
            double added = raised - diagonal;
            int nonZero = 0;
            for (int row = 0; row < k; row++) if (m[row][col] != 0) nonZero++;
            double perCell = added / Math.Max(nonZero - 1.0, 1.0);
            for (int row = 0; row < k; row++) m[row][col] = Math.Max(0, m[row][col] - perCell);
            m[col][col] = raised;
        }
        return [.. m.Select(RoundPreservingSum)];
    }

    /// <summary>The share of samples the calibrated confident joint puts off the diagonal.</summary>
    public static double NoiseRate(long[][] confidentJoint)
    {
        long total = 0, diagonal = 0;
        for (int i = 0; i < confidentJoint.Length; i++)
        {
            total += confidentJoint[i].Sum();
            diagonal += confidentJoint[i][i];
        }
        return total > 0 ? 1 - (double)diagonal / total : 0;
    }

    /// <summary>find_label_issues(filter_by="prune_by_noise_rate"): the suspected label errors, largest margin first.</summary>
    public static LabelIssueReport FindLabelIssues(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels, int minExamplesPerClass = 1)
    {
        Check(probabilities, classes, labels);
        var thresholds = PerClassThresholds(probabilities, classes, labels);
        var cj = ConfidentJoint(probabilities, classes, labels);
        // Prune counts are indexed [true][given]: the transpose of the joint.
        var transposed = new long[classes][];
        for (int j = 0; j < classes; j++) transposed[j] = [.. Enumerable.Range(0, classes).Select(i => cj[i][j])];
        var prune = KeepAtLeastNPerClass(transposed, minExamplesPerClass);

        var flagged = new bool[labels.Length];
        for (int given = 0; given < classes; given++)
        {
            var members = new List<int>();
            for (int i = 0; i < labels.Length; i++) if (labels[i] == given) members.Add(i);
            for (int truth = 0; truth < classes; truth++)
            {
                if (truth == given) continue;
                long count = Math.Min(prune[truth][given], members.Count);
                if (count <= 0) continue;
                var margins = new (int Index, double Margin)[members.Count];
                for (int m = 0; m < members.Count; m++)
                    margins[m] = (members[m], (double)probabilities[members[m] * classes + truth] - probabilities[members[m] * classes + given]);
                foreach (var (index, _) in margins.OrderByDescending(x => x.Margin).ThenBy(x => x.Index).Take((int)count)) flagged[index] = true;
            }
        }
        var issues = new List<LabelIssue>();
        for (int i = 0; i < labels.Length; i++)
        {
            if (!flagged[i]) continue;
            var row = probabilities.Slice(i * classes, classes);
            int argmax = TensorPrimitives.IndexOfMax(row);
            // cleanlab keeps no issue whose given label is the model's prediction.
            if (argmax == labels[i]) continue;
            issues.Add(new LabelIssue(i, labels[i], argmax, row[argmax], row[labels[i]]));
        }
        issues.Sort((a, b) => b.Margin != a.Margin ? b.Margin.CompareTo(a.Margin) : a.Index.CompareTo(b.Index));
        return new LabelIssueReport(thresholds, cj, NoiseRate(cj), issues);
    }

    private static long[] LabelCounts(ReadOnlySpan<int> labels, int classes)
    {
        var counts = new long[classes];
        foreach (int l in labels) counts[l]++;
        return counts;
    }

    private static void Check(ReadOnlySpan<float> probabilities, int classes, ReadOnlySpan<int> labels)
    {
        if (classes < 2) throw new ArgumentException($"label issues need at least 2 classes, got {classes}.");
        if (probabilities.Length != labels.Length * classes)
            throw new ArgumentException($"{probabilities.Length} probabilities do not match {labels.Length} labels of {classes} classes.");
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes) throw new ArgumentException($"label {labels[i]} of sample {i} is outside 0..{classes - 1}.");
    }
}

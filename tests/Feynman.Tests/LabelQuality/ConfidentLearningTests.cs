using Feynman.Paradigms.LabelQuality;

namespace Feynman.Tests.LabelQuality;

/// <summary>
/// The confident-learning math on a constructed example; expected values checked by hand (comments) and by
/// reference/confident_learning.py, a plain-Python transcription of cleanlab's algorithm.
/// </summary>
public class ConfidentLearningTests
{
    private static readonly float[] Probs =
    [
        0.9f, 0.05f, 0.05f, 0.8f, 0.1f, 0.1f, 0.7f, 0.2f, 0.1f, 0.1f, 0.85f, 0.05f,
        0.2f, 0.7f, 0.1f, 0.1f, 0.8f, 0.1f, 0.6f, 0.3f, 0.1f, 0.05f, 0.15f, 0.8f,
        0.1f, 0.1f, 0.8f, 0.2f, 0.1f, 0.7f, 0.3f, 0.6f, 0.1f, 0.4f, 0.4f, 0.2f,
    ];
    private static readonly int[] Labels = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 0];

    [Fact]
    public void ThresholdsAreMeanSelfConfidence()
    {
        var t = ConfidentLearning.PerClassThresholds(Probs, 3, Labels);
        // Class 0: (0.9 + 0.8 + 0.7 + 0.1 + 0.4) / 5; class 1: (0.7 + 0.8 + 0.3) / 3; class 2: (0.8 + 0.8 + 0.7 + 0.1) / 4.
        Assert.Equal(0.58, t[0], 5);
        Assert.Equal(0.60, t[1], 5);
        Assert.Equal(0.60, t[2], 5);
    }

    [Fact]
    public void ConfidentJointCountsAndCalibrates()
    {
        // Sample 3 (label 0) is confidently 1, sample 6 (label 1) confidently 0, sample 10 (label 2) at the
        // threshold of 1, sample 11 reaches no threshold and is not counted.
        var raw = ConfidentLearning.ConfidentJoint(Probs, 3, Labels, calibrate: false);
        Assert.Equal([[3L, 1, 0], [1L, 2, 0], [0L, 1, 3]], raw);
        // Calibration scales row 0 (4 counted) to its 5 labels: 3.75, 1.25 -> 4, 1.
        var cj = ConfidentLearning.ConfidentJoint(Probs, 3, Labels);
        Assert.Equal([[4L, 1, 0], [1L, 2, 0], [0L, 1, 3]], cj);
        Assert.Equal(3.0 / 12, ConfidentLearning.NoiseRate(cj), 12);
    }

    [Fact]
    public void PruningByNoiseRateFlagsTheLargestMarginPerCell()
    {
        var report = ConfidentLearning.FindLabelIssues(Probs, 3, Labels);
        // reference/confident_learning.py: issues [3, 6, 10].
        Assert.Equal([3, 6, 10], report.Issues.Select(i => i.Index).Order());
        var first = report.Issues[0];
        // Sample 3: given 0, suggested 1 with 0.85 against 0.1 -> the largest margin, listed first.
        Assert.Equal((3, 0, 1), (first.Index, first.GivenLabel, first.SuggestedLabel));
        Assert.Equal(0.85, first.SuggestedProbability, 5);
        Assert.Equal(0.1, first.GivenProbability, 5);
        Assert.True(report.Issues.Zip(report.Issues.Skip(1)).All(p => p.First.Margin >= p.Second.Margin));
    }

    [Fact]
    public void RoundingKeepsTheRowTotalLikeCleanlab()
    {
        // 1.4 + 1.4 + 1.2 = 4 but rounds to 3; the +1 goes to the largest loss, the later index among ties (numpy argsort()[::-1]).
        Assert.Equal([1L, 2, 1], ConfidentLearning.RoundPreservingSum([1.4, 1.4, 1.2]));
        // Half to even: 0.5 -> 0, 1.5 -> 2, 2.6 -> 3; the sum 5.1 rounds to 5, as do the parts.
        Assert.Equal([0L, 0, 2, 3], ConfidentLearning.RoundPreservingSum([0.5, 0.5, 1.5, 2.6]));
    }

    [Fact]
    public void EveryClassKeepsAtLeastOneExample()
    {
        // Column 0 has an empty diagonal: it is raised to 1 and the one noise cell (3) gives up 1.
        Assert.Equal([[1L, 2], [2L, 5]], ConfidentLearning.KeepAtLeastNPerClass([[0, 2], [3, 5]]));
        // Two noise cells in column 0 share the 1: 3 - 0.5 and 1 - 0.5; row 2 is then 0.5, 0, 4, whose sum 4.5
        // rounds (half to even) to 4, so the 0.5 goes (as in reference/confident_learning.py).
        Assert.Equal([[1L, 2, 1], [2L, 5, 0], [0L, 0, 4]], ConfidentLearning.KeepAtLeastNPerClass([[0, 2, 1], [3, 5, 0], [1, 0, 4]]));
    }

    [Fact]
    public void MismatchedInputsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => ConfidentLearning.FindLabelIssues(Probs, 3, Labels[..5]));
        var ex = Assert.Throws<ArgumentException>(() => ConfidentLearning.FindLabelIssues(Probs, 3, [.. Labels[..11], 3]));
        Assert.Contains("label 3 of sample 11", ex.Message);
    }
}

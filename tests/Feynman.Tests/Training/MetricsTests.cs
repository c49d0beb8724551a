using Feynman.Training.Metrics;

namespace Feynman.Tests.Training;

public class MetricsTests
{
    // Five samples, two classes. Confidences 0.9, 0.85, 0.7, 0.5 (a tie: argmax takes class 0) and 0.88.
    private static readonly float[] Probs = [0.9f, 0.1f, 0.85f, 0.15f, 0.3f, 0.7f, 0.5f, 0.5f, 0.88f, 0.12f];
    private static readonly int[] Labels = [0, 1, 1, 0, 1];

    [Fact]
    public void AccuracyAndPredictionsUseTheFirstMaximum()
    {
        Assert.Equal([0, 0, 1, 0, 0], Classification.Predictions(Probs, 2));
        Assert.Equal(0.6, Classification.Accuracy(Probs, 2, Labels), 12);
    }

    [Fact]
    public void ConfusionMatrixCountsTrueAgainstPredicted()
    {
        var m = Classification.Confusion(Probs, 2, Labels);
        Assert.Equal([2L, 0, 2, 1], m.Counts.ToArray());
        Assert.Equal(5, m.Total);
        Assert.Equal(0.6, m.Accuracy, 12);
        Assert.Equal(0.5, m.Precision(0), 12);
        Assert.Equal(1.0 / 3, m.Recall(1), 12);
        Assert.Equal(1.0, m.Precision(1), 12);
        Assert.Equal([[2L, 0], [2L, 1]], m.ToRows());
    }

    [Fact]
    public void NegativeLogLikelihoodIsTheMeanOfMinusLogOfTheLabelProbability()
    {
        double expected = -(Math.Log(0.9f) + Math.Log(0.15f) + Math.Log(0.7f) + Math.Log(0.5f) + Math.Log(0.12f)) / 5;
        Assert.Equal(expected, Classification.NegativeLogLikelihood(Probs, 2, Labels), 9);
        // A zero probability on the label is clamped, not infinite.
        Assert.Equal(-Math.Log(1e-12), Classification.NegativeLogLikelihood([1f, 0f], 2, [1]), 6);
    }

    [Fact]
    public void ExpectedCalibrationErrorWeighsEachBinGapByItsShare()
    {
        // Bins of width 1/15: 0.9 and 0.88 share bin 13 (mean confidence 0.89, accuracy 1/2);
        // 0.85 (wrong) is bin 12, 0.7 (right) bin 10, 0.5 (right) bin 7.
        double expected = (2 * Math.Abs(0.5 - (0.9f + 0.88f) / 2.0) + Math.Abs(0 - (double)0.85f) + Math.Abs(1 - (double)0.7f) + 0.5) / 5;
        Assert.Equal(expected, Classification.ExpectedCalibrationError(Probs, 2, Labels), 9);
        var bins = Classification.Reliability(Probs, 2, Labels);
        Assert.Equal(15, bins.Length);
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1, 2, 0], bins.Select(b => b.Count));
        Assert.Equal(0.5, bins[13].Accuracy, 12);
        Assert.Equal((0.9f + 0.88f) / 2.0, bins[13].Confidence, 9);
        Assert.Equal(13.0 / 15, bins[13].Lower, 12);
        Assert.Equal(14.0 / 15, bins[13].Upper, 12);
        Assert.True(double.IsNaN(bins[0].Accuracy));
        // Perfectly calibrated: confidence 1 and always right.
        Assert.Equal(0, Classification.ExpectedCalibrationError([1f, 0f, 0f, 1f], 2, [0, 1]), 12);
    }

    [Fact]
    public void ShapeAndLabelErrorsSayWhatIsWrong()
    {
        var ex = Assert.Throws<ArgumentException>(() => Classification.Accuracy(new float[10], 3, new int[3]));
        Assert.Contains("3 classes", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Classification.Accuracy(new float[10], 2, new int[4]));
        Assert.Contains("5 rows", ex.Message);
        Assert.Contains("4 labels", ex.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => Classification.Confusion(new float[4], 2, [0, 2]));
        Assert.Contains("label 2 of row 1", range.Message);
    }
}

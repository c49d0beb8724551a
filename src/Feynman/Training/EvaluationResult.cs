using Feynman.Training.Metrics;

namespace Feynman.Training;

/// <summary>A model measured on a labelled dataset.</summary>
public sealed record EvaluationResult(
    double Accuracy,
    double Loss,
    double ExpectedCalibrationError,
    ConfusionMatrix Confusion,
    IReadOnlyList<ReliabilityBin> Reliability,
    float[] Probabilities,
    int Classes);

namespace Feynman.Tracking.Reports;

/// <summary>
/// One row of the teacher/student table. <see cref="Role"/> is free text ("teacher", "student",
/// "student (distilled)"); ECE and NLL are optional columns, shown when any model has them.
/// </summary>
public sealed record ModelResult(
    string Name,
    string Role,
    double Accuracy,
    long Parameters,
    double MicrosecondsPerSample,
    TimeSpan TrainingTime)
{
    public double? ExpectedCalibrationError { get; init; }

    public double? NegativeLogLikelihood { get; init; }
}

namespace Feynman.Paradigms;

/// <summary>
/// The outcome of an MPL run: the student's test accuracy (after fine-tuning when asked), the teacher's,
/// the history of (step, mean reward since the last point, student test accuracy).
/// </summary>
public sealed record MetaPseudoLabelsResult(double StudentAccuracy, double TeacherAccuracy, IReadOnlyList<(int Step, double MeanReward, double StudentAccuracy)> History, double Seconds, bool Interrupted);

namespace Feynman.Paradigms;

/// <summary>
/// One MPL step: the student's labelled loss before and after its step on the pseudo-labels, the reward
/// (before − after: positive when the pseudo-labels helped), the baseline it was compared with, and the
/// teacher's and student's losses.
/// </summary>
public sealed record MetaPseudoLabelsStep(float LossBefore, float LossAfter, float Reward, float Baseline, float TeacherLoss, float StudentLoss);

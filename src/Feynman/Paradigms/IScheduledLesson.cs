namespace Feynman.Paradigms;

/// <summary>
/// A lesson whose loss changes over training (the confidence loss warms its weight up over the first
/// part of the run). <see cref="Training.Trainer"/> calls <see cref="OnStep"/> before every batch's loss,
/// with the global step counted from 0 over all epochs, so a resumed run sees the same schedule.
/// </summary>
public interface IScheduledLesson : ILesson
{
    /// <summary>Training is at <paramref name="step"/> of <paramref name="totalSteps"/> (0 ≤ step &lt; totalSteps).</summary>
    void OnStep(int step, int totalSteps);
}

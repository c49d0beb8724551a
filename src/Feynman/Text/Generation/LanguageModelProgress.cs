namespace Feynman.Text.Generation;

/// <summary>A training report: <paramref name="Loss"/> is the mean cross-entropy (nats per byte) since the last report.</summary>
public sealed record LanguageModelProgress(int Step, int Steps, double Loss, double LearningRate, double TokensPerSecond, TimeSpan Elapsed);

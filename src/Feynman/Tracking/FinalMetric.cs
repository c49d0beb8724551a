namespace Feynman.Tracking;

/// <summary>A run's final metric, for one model ("" when the run has one).</summary>
public sealed record FinalMetric(string Model, string Key, double Value);

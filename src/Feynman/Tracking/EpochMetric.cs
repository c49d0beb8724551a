namespace Feynman.Tracking;

/// <summary>A metric logged at the end of an epoch, for one model (or phase) of a run.</summary>
public sealed record EpochMetric(string Model, int Epoch, string Key, double Value);

namespace Feynman.Training;

/// <summary>Reported after every batch (for progress bars) and at the end of every epoch.</summary>
public sealed record TrainingProgress(string Model, int Epoch, int Epochs, int Batch, int Batches, double SamplesPerSecond, double Loss, bool EpochEnd);

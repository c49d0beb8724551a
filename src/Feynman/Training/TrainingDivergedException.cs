namespace Feynman.Training;

/// <summary>The loss became NaN or infinite; the last epoch's checkpoint (if any) is untouched.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

namespace Feynman.Tensors;

/// <summary>The state of a <see cref="Generator"/>, as saved in checkpoints.</summary>
public readonly record struct GeneratorState(ulong S0, ulong S1, ulong S2, ulong S3, bool HasSpare, float Spare);

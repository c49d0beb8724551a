namespace Feynman.Training.Recipes;

/// <summary>
/// A named model of a recipe (a teacher, the student): its layers, how it is trained, and optionally
/// weights to start from (a safetensors file, e.g. saved by PyTorch) instead of training from scratch.
/// </summary>
public sealed record ModelSection(string Name, ModelSpec Model, TrainingSpec Training, string? Weights = null);

namespace Feynman.Training.Recipes;

/// <summary>
/// Where the data comes from: named sources (see Feynman.Data.DataSources), the share of the training
/// source held out for validation (split by the recipe seed), and augmentation of the training batches.
/// <see cref="TrainSize"/> keeps only the first N samples of the training source, in file order (the same
/// samples for every seed and in a PyTorch script reading the same files).
/// </summary>
public sealed record DataSpec(
    string Train = "fashion-mnist:train",
    string Test = "fashion-mnist:test",
    double Validation = 0.1,
    bool Stratified = true,
    AugmentSpec? Augment = null,
    int? TrainSize = null);

namespace Feynman.Training.Recipes;

/// <summary>
/// How one model is trained. The recipe's top-level <c>training</c> section sets these for every model;
/// a model's own <c>training</c> section overrides single keys. <see cref="Augment"/>, when set, replaces the
/// data section's augmentation for this model (e.g. a teacher trained with crops, a student without).
/// </summary>
public sealed record TrainingSpec(
    int Epochs,
    int BatchSize,
    OptimizerSpec Optimizer,
    string Schedule = "constant",
    int WarmupEpochs = 0,
    double? ClipGradNorm = null,
    EarlyStoppingSpec? EarlyStopping = null,
    double LabelSmoothing = 0,
    AugmentSpec? Augment = null)
{
    public static TrainingSpec Defaults { get; } = new(10, 128, OptimizerSpec.Defaults("sgd"));
}

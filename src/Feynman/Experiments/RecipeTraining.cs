using Feynman.Training;
using Feynman.Training.Recipes;

namespace Feynman.Experiments;

/// <summary>A recipe's training section as the trainer's options (no checkpoints, no augmentation).</summary>
public static class RecipeTraining
{
    public static TrainingOptions Options(TrainingSpec t, ulong seed, int? epochs = null) => new()
    {
        Epochs = epochs ?? t.Epochs, BatchSize = t.BatchSize, Optimizer = t.Optimizer.Name,
        LearningRate = t.Optimizer.LearningRate, Momentum = t.Optimizer.Momentum, Nesterov = t.Optimizer.Nesterov,
        WeightDecay = t.Optimizer.WeightDecay, Beta1 = t.Optimizer.Beta1, Beta2 = t.Optimizer.Beta2, Eps = t.Optimizer.Eps,
        Schedule = t.Schedule, WarmupEpochs = t.WarmupEpochs, ClipGradNorm = t.ClipGradNorm ?? 0, Seed = seed,
    };
}

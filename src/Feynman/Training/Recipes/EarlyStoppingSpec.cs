namespace Feynman.Training.Recipes;

/// <summary>Stop when <see cref="Metric"/> ("val_loss" or "val_accuracy") has not improved by <see cref="MinDelta"/> for <see cref="Patience"/> epochs.</summary>
public sealed record EarlyStoppingSpec(int Patience, string Metric = "val_loss", double MinDelta = 0);

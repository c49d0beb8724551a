namespace Feynman.Training.Recipes;

/// <summary>Training-set augmentation: random crop with this much zero padding (0 = off) and random horizontal flips.</summary>
public sealed record AugmentSpec(int CropPadding = 0, bool HorizontalFlip = false)
{
    /// <summary>No augmentation (a model's <c>training.augment: null</c> turns the recipe's off).</summary>
    public static AugmentSpec None { get; } = new();

    public bool Any => CropPadding > 0 || HorizontalFlip;
}

namespace Feynman.Training.Recipes;

/// <summary>Training-set augmentation: random crop with this much zero padding (0 = off) and random horizontal flips.</summary>
public sealed record AugmentSpec(int CropPadding = 0, bool HorizontalFlip = false)
{
    public bool Any => CropPadding > 0 || HorizontalFlip;
}

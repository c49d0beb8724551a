namespace Feynman.Training.Recipes;

/// <summary>The layers a recipe model can use; each maps to one PyTorch nn module.</summary>
public enum LayerKind
{
    Conv2d,
    Linear,
    ReLU,
    GELU,
    Tanh,
    MaxPool2d,
    AvgPool2d,
    Flatten,
    Dropout,
    BatchNorm2d,
    BatchNorm1d,
}

namespace Feynman.Data;

internal static class ImageShape
{
    /// <summary>Reads a [C, H, W] (or [H, W]) sample shape, or says which transform needs one.</summary>
    public static (int Channels, int Height, int Width) Chw(IReadOnlyList<int> shape, string transform) => shape.Count switch
    {
        3 => (shape[0], shape[1], shape[2]),
        2 => (1, shape[0], shape[1]),
        _ => throw new ArgumentException($"{transform} needs image samples of shape [C, H, W], got [{string.Join(", ", shape)}]."),
    };
}

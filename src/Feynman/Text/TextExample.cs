namespace Feynman.Text;

/// <summary>One piece of text and its class (Label = -1 when unlabelled). Id is stable across runs
/// (a file name, a line number or a hash), so caches and label stores can refer to it.</summary>
public sealed record TextExample(string Id, string Text, int Label)
{
    public const int Unlabelled = -1;
}

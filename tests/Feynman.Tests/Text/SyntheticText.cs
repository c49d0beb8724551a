using Feynman.Tensors;
using Feynman.Text;

namespace Feynman.Tests.Text;

/// <summary>A small task for the students: label 1 when a text holds one of a few marker words among filler.</summary>
internal static class SyntheticText
{
    private static readonly string[] Filler = Enumerable.Range(0, 40).Select(i => $"word{i}").ToArray();
    private static readonly string[] Markers = ["Prize", "winner", "CASH", "offer"];

    public static TextDataset Make(int count, ulong seed)
    {
        var rng = new Generator(seed);
        var examples = new TextExample[count];
        for (int i = 0; i < count; i++)
        {
            int label = rng.NextInt(2);
            var words = Enumerable.Range(0, 4 + rng.NextInt(6)).Select(_ => Filler[rng.NextInt(Filler.Length)]).ToList();
            if (label == 1) words.Insert(rng.NextInt(words.Count + 1), Markers[rng.NextInt(Markers.Length)]);
            examples[i] = new TextExample($"s{seed}-{i}", string.Join(' ', words) + (rng.NextInt(2) == 0 ? "." : " !"), label);
        }
        return new TextDataset("synthetic", ["ham", "spam"], examples);
    }
}

using Feynman.Tensors;
using Feynman.Text;
using Feynman.Text.Generation;

namespace Feynman.Tests.Text;

/// <summary>
/// A tiny generator trained once for the generation tests on two classes with distinct alphabets: class "ab" writes
/// strings of a and b, class "xy" strings of x and y (8 to 20 letters). The model can only start a sample in the right
/// alphabet if it learnt to read its class token.
/// </summary>
public sealed class TinyGeneratorFixture : IDisposable
{
    /// <summary>The test collection that shares one trained instance.</summary>
    public const string Collection = "tiny generator";

    public static readonly string[] Labels = ["ab", "xy"];

    public static LanguageModelOptions ModelOptions { get; } = new() { ContextLength = 32, EmbedDim = 32, Heads = 2, Layers = 1, FeedForwardDim = 64 };

    public static LanguageModelTrainingOptions TrainingOptions { get; } = new()
    {
        Steps = 150, BatchSize = 16, LearningRate = 1e-2, WarmupSteps = 10, StartWindowFraction = 0.5, Seed = 3, ReportEvery = 50,
    };

    public TinyGeneratorFixture()
    {
        Corpus = MakeCorpus(200, seed: 11);
        Model = new ByteLanguageModel(Labels, ModelOptions, seed: 5);
        Result = LanguageModelTrainer.Train(Model, Corpus, TrainingOptions);
    }

    public IReadOnlyList<TextExample> Corpus { get; }

    public ByteLanguageModel Model { get; }

    public LanguageModelTrainingResult Result { get; }

    public static IReadOnlyList<TextExample> MakeCorpus(int count, int seed)
    {
        var rng = new Generator((ulong)seed);
        var corpus = new List<TextExample>(count);
        for (int i = 0; i < count; i++)
        {
            int label = i % 2;
            string alphabet = label == 0 ? "ab" : "xy";
            var chars = new char[8 + rng.NextInt(13)];
            for (int j = 0; j < chars.Length; j++) chars[j] = alphabet[rng.NextInt(2)];
            corpus.Add(new TextExample($"tiny-{i}", new string(chars), label));
        }
        return corpus;
    }

    /// <summary>Fraction of the characters of <paramref name="texts"/> that belong to <paramref name="alphabet"/>.</summary>
    public static double InAlphabet(IEnumerable<string> texts, string alphabet)
    {
        long inside = 0, total = 0;
        foreach (var t in texts)
            foreach (char c in t)
            {
                total++;
                if (alphabet.Contains(c)) inside++;
            }
        return total == 0 ? 0 : (double)inside / total;
    }

    public void Dispose() => Model.Dispose();
}

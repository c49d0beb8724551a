using Feynman.Tensors;
using Feynman.Text;
using Feynman.Text.Generation;

namespace Feynman.Tests.Text;

/// <summary>Sampling: the same seed gives the same texts, prefixes and caps are honoured, and a saved model samples the same.</summary>
[Collection(TinyGeneratorFixture.Collection)]
public class TextSamplerTests(TinyGeneratorFixture tiny)
{
    [Fact]
    public void TheSameSeedGivesTheSameTexts()
    {
        var sampler = new TextSampler(tiny.Model);
        var options = new SamplingOptions { Temperature = 1f, TopK = 0, BatchSize = 7 };
        SampleRequest[] requests = [.. Enumerable.Range(0, 20).Select(i => new SampleRequest(i % 2))];
        var first = sampler.Sample(requests, options, seed: 42);
        var again = sampler.Sample(requests, options, seed: 42);
        var other = sampler.Sample(requests, options, seed: 43);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.True(first.Distinct().Count() > 10, "twenty samples at temperature 1 should mostly differ.");
    }

    [Fact]
    public void GreedySamplingIgnoresTheSeed()
    {
        var sampler = new TextSampler(tiny.Model);
        var greedy = new SamplingOptions { Temperature = 0f };
        Assert.Equal(sampler.Sample(0, 3, greedy, seed: 1), sampler.Sample(0, 3, greedy, seed: 2));
    }

    [Fact]
    public void TopOneIsGreedy()
    {
        var sampler = new TextSampler(tiny.Model);
        Assert.Equal(sampler.Sample(1, 3, new SamplingOptions { Temperature = 0f }), sampler.Sample(1, 3, new SamplingOptions { Temperature = 1.5f, TopK = 1 }, seed: 9));
    }

    [Fact]
    public void TextsStartWithTheirPrefixAndStopAtTheCap()
    {
        var sampler = new TextSampler(tiny.Model);
        var texts = sampler.Sample([new SampleRequest(0, "abba"), new SampleRequest(1, "xx"), new SampleRequest(1)],
                                   new SamplingOptions { MaxLength = 6, Temperature = 1f }, seed: 5);
        Assert.StartsWith("abba", texts[0]);
        Assert.StartsWith("xx", texts[1]);
        Assert.All(texts, t => Assert.True(t.Length <= 6, $"'{t}' exceeds the 6-byte cap."));
        var ex = Assert.Throws<ArgumentException>(() => sampler.Sample([new SampleRequest(0, "abababab")], new SamplingOptions { MaxLength = 6 }));
        Assert.Contains("prefix", ex.Message);
    }

    [Fact]
    public void TopKDrawsOnlyTheKMostLikelyTokens()
    {
        var rng = new Generator(3);
        float[] logits = new float[ByteTokens.Eos + 1];
        for (int i = 0; i < logits.Length; i++) logits[i] = -5f + 0.001f * i;
        logits['q'] = 3f;
        logits['r'] = 2.9f;
        logits[ByteTokens.Eos] = 2.8f;
        var scratch = new float[2 * logits.Length];
        var options = new SamplingOptions { Temperature = 5f, TopK = 3 };
        var drawn = Enumerable.Range(0, 300).Select(_ => TextSampler.Draw(logits, options, rng, scratch)).ToHashSet();
        Assert.Equal(new HashSet<int> { 'q', 'r', ByteTokens.Eos }, drawn);
        // Without top-k, a high temperature reaches the other tokens.
        var all = Enumerable.Range(0, 300).Select(_ => TextSampler.Draw(logits, options with { TopK = 0 }, rng, scratch)).ToHashSet();
        Assert.True(all.Count > 10, $"only {all.Count} distinct tokens at temperature 5 without top-k.");
    }

    [Fact]
    public void ASavedModelLoadsAndSamplesTheSameTexts()
    {
        var path = Path.Combine(Path.GetTempPath(), $"feynman-bytelm-{Guid.NewGuid():N}.safetensors");
        try
        {
            tiny.Model.Save(path);
            using var loaded = ByteLanguageModel.FromFile(path);
            Assert.Equal(tiny.Model.LabelNames, loaded.LabelNames);
            Assert.Equal(tiny.Model.Options, loaded.Options);
            var options = new SamplingOptions { Temperature = 1f };
            Assert.Equal(new TextSampler(tiny.Model).Sample(0, 8, options, seed: 7), new TextSampler(loaded).Sample(0, 8, options, seed: 7));

            // LoadOrTrain finds the file and loads it rather than training (a zero-step budget would leave random weights).
            using var reused = LanguageModelTrainer.LoadOrTrain(path, tiny.Corpus, TinyGeneratorFixture.Labels, TinyGeneratorFixture.ModelOptions,
                                                                new LanguageModelTrainingOptions { Steps = 0 });
            Assert.Equal(new TextSampler(tiny.Model).Sample(1, 4, options, seed: 8), new TextSampler(reused).Sample(1, 4, options, seed: 8));
            var ex = Assert.Throws<InvalidDataException>(() => LanguageModelTrainer.LoadOrTrain(path, tiny.Corpus, ["ab", "cd"]));
            Assert.Contains("labels", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadOrTrainTrainsOnceAndSaves()
    {
        var path = Path.Combine(Path.GetTempPath(), $"feynman-bytelm-{Guid.NewGuid():N}.safetensors");
        try
        {
            var options = new LanguageModelTrainingOptions { Steps = 3, BatchSize = 2, Seed = 1 };
            var modelOptions = new LanguageModelOptions { ContextLength = 8, EmbedDim = 8, Heads = 2, Layers = 1, FeedForwardDim = 8 };
            var reports = new List<LanguageModelProgress>();
            using var trained = LanguageModelTrainer.LoadOrTrain(path, tiny.Corpus, TinyGeneratorFixture.Labels, modelOptions, options with { ReportEvery = 1 },
                                                                 new SyncProgress<LanguageModelProgress>(reports.Add));
            Assert.True(File.Exists(path));
            Assert.Equal([1, 2, 3], reports.Select(r => r.Step));
            Assert.All(reports, r => Assert.True(double.IsFinite(r.Loss) && r.Loss > 0));
            using var loaded = ByteLanguageModel.FromFile(path);
            Assert.Equal(trained.Head.Weight.ToArray(), loaded.Head.Weight.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ACancelledTrainingIsNotSavedForReuse()
    {
        var path = Path.Combine(Path.GetTempPath(), $"feynman-bytelm-{Guid.NewGuid():N}.safetensors");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var modelOptions = new LanguageModelOptions { ContextLength = 8, EmbedDim = 8, Heads = 2, Layers = 1, FeedForwardDim = 8 };
        using (var model = new ByteLanguageModel(TinyGeneratorFixture.Labels, modelOptions))
            Assert.Equal(0, LanguageModelTrainer.Train(model, tiny.Corpus, new LanguageModelTrainingOptions { Steps = 5 }, cancellationToken: cancelled.Token).StepsDone);
        Assert.Throws<OperationCanceledException>(() =>
            LanguageModelTrainer.LoadOrTrain(path, tiny.Corpus, TinyGeneratorFixture.Labels, modelOptions, new LanguageModelTrainingOptions { Steps = 5 }, cancellationToken: cancelled.Token));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void RefusesAFileThatIsNotAGenerator()
    {
        var path = Path.Combine(Path.GetTempPath(), $"feynman-notlm-{Guid.NewGuid():N}.safetensors");
        try
        {
            using (TensorScope.Begin()) Feynman.Serialization.Safetensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.Zeros(2) });
            var ex = Assert.Throws<InvalidDataException>(() => ByteLanguageModel.FromFile(path));
            Assert.Contains("not a Feynman byte language model", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

using Feynman.Experiments;
using Feynman.Text;
using Feynman.Text.Generation;
using Feynman.Text.Teaching;

namespace Feynman.Tests.Text;

/// <summary>The generator as the teaching recipe's writer "local": registered, trained once into the output folder, reused.</summary>
public sealed class LocalWriterComponentTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("feynman-localwriter-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    private TeachContext Context(TeachingData data, List<string> log)
    {
        var options = new Dictionary<string, string>
        {
            ["steps"] = "150", ["batch"] = "16", ["lr"] = "0.01", ["context"] = "32", ["embed"] = "32", ["heads"] = "2", ["layers"] = "1", ["ff"] = "64",
            ["max_length"] = "30", ["min_new_chars"] = "3", ["temperature"] = "1",
        };
        return new TeachContext(new TeachSpec(), new TeachComponent("local", options), Seed: 3, dir) { Data = data, Log = log.Add };
    }

    [Fact]
    public async Task TrainsOnceIntoTheOutputFolderThenReusesTheModel()
    {
        TeachRecipes.Register();
        Assert.Contains("local", TeachingComponents.WriterNames);
        var corpus = TinyGeneratorFixture.MakeCorpus(200, seed: 4);
        // The unlabelled corpus repeats the training set: each text is learnt once.
        var data = new TeachingData(TinyGeneratorFixture.Labels, [], []) { Train = corpus, Unlabelled = corpus.Select(e => e with { Label = TextExample.Unlabelled }).ToList() };
        Assert.Equal(200, LocalWriterComponent.Corpus(data).Count);
        Assert.All(LocalWriterComponent.Corpus(data), e => Assert.True(e.Label >= 0));

        var log = new List<string>();
        var writer = LocalWriterComponent.Create(Context(data, log));
        Assert.True(File.Exists(Path.Combine(dir, LocalWriterComponent.DefaultModelFile)));
        Assert.Contains(log, l => l.Contains("training the generator", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Contains("step 150/150", StringComparison.Ordinal));
        var request = new ExampleRequest(TinyGeneratorFixture.Labels, [new StudentFailure("xyxy", 1, 0, 0.8f)], 6, 0, 1);
        var first = await writer.WriteAsync(request);
        Assert.Equal(6, first.Count);
        Assert.All(first, e => Assert.Equal(1, e.Label));
        Assert.True(TinyGeneratorFixture.InAlphabet(first.Select(e => e.Text), "xy") > 0.9);

        log.Clear();
        var again = TeachingComponents.CreateWriter(Context(data, log)); // through the registry, as a rerun would
        Assert.Contains(log, l => l.Contains("generator from", StringComparison.Ordinal));
        Assert.DoesNotContain(log, l => l.Contains("step ", StringComparison.Ordinal));
        Assert.Equal(first, await again.WriteAsync(request));
    }

    [Fact]
    public void NeedsLabelledTextToLearnTheClasses()
    {
        var unlabelled = TinyGeneratorFixture.MakeCorpus(10, seed: 1).Select(e => e with { Label = TextExample.Unlabelled }).ToList();
        var data = new TeachingData(TinyGeneratorFixture.Labels, [], []) { Unlabelled = unlabelled };
        var ex = Assert.Throws<InvalidDataException>(() => LocalWriterComponent.Create(Context(data, [])));
        Assert.Contains("labelled", ex.Message);
    }
}

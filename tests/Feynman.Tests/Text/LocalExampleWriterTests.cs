using Feynman.Text;
using Feynman.Text.Generation;
using Feynman.Text.Teaching;

namespace Feynman.Tests.Text;

/// <summary>The offline example writer: count, class weighting by failures, priming, ids and determinism.</summary>
[Collection(TinyGeneratorFixture.Collection)]
public class LocalExampleWriterTests(TinyGeneratorFixture tiny)
{
    private static readonly LocalExampleWriterOptions Options = new()
    {
        Sampling = new SamplingOptions { Temperature = 1f, TopK = 0, MaxLength = 30 },
        MinNewCharacters = 3,
    };

    private static StudentFailure Failure(string text, int label) => new(text, label, 1 - label, 0.9f);

    [Fact]
    public void SplitsTheCountByTheFailuresTrueLabels()
    {
        Assert.Equal([2, 6], LocalExampleWriter.AllocateCounts([Failure("a", 0), Failure("x", 1), Failure("y", 1), Failure("xy", 1)], 2, 8));
        Assert.Equal([5, 5], LocalExampleWriter.AllocateCounts([], 2, 10));
        Assert.Equal([0, 7, 0], LocalExampleWriter.AllocateCounts([Failure("x", 1)], 3, 7));
        // Largest remainder: 10 split 1:1:1 gives 4, 3, 3 (the tie goes to the lower class).
        Assert.Equal([4, 3, 3], LocalExampleWriter.AllocateCounts([Failure("a", 0), Failure("b", 1), Failure("c", 2)], 3, 10));
        Assert.Throws<ArgumentException>(() => LocalExampleWriter.AllocateCounts([Failure("a", 5)], 2, 4));
    }

    [Fact]
    public async Task WritesTheCountAskedForWeightedByFailures()
    {
        var writer = new LocalExampleWriter(tiny.Model, Options);
        Assert.Equal("local", writer.Name);
        StudentFailure[] failures = [Failure("xyxyxy", 1), Failure("yyxx", 1), Failure("xxyx", 1), Failure("abab", 0)];
        var examples = await writer.WriteAsync(new ExampleRequest(TinyGeneratorFixture.Labels, failures, Count: 12, Round: 1, Seed: 4));
        Assert.Equal(12, examples.Count);
        Assert.Equal(3, examples.Count(e => e.Label == 0));
        Assert.Equal(9, examples.Count(e => e.Label == 1));
        Assert.Equal(12, examples.Select(e => e.Id).Distinct().Count());
        Assert.All(examples, e => Assert.Equal(LocalExampleWriter.StableId(e.Text, e.Label), e.Id));
        // Each example is written in its intended class's alphabet.
        Assert.True(TinyGeneratorFixture.InAlphabet(examples.Where(e => e.Label == 0).Select(e => e.Text), "ab") > 0.9);
        Assert.True(TinyGeneratorFixture.InAlphabet(examples.Where(e => e.Label == 1).Select(e => e.Text), "xy") > 0.9);
    }

    [Fact]
    public void TheSameSeedAndRoundGiveTheSameExamples()
    {
        var writer = new LocalExampleWriter(tiny.Model, Options);
        StudentFailure[] failures = [Failure("xyyx", 1), Failure("abba", 0)];
        var request = new ExampleRequest(TinyGeneratorFixture.Labels, failures, 10, Round: 2, Seed: 7);
        var first = writer.Write(request);
        Assert.Equal(first, writer.Write(request));
        Assert.NotEqual(first, writer.Write(request with { Round = 3 }));
        Assert.NotEqual(first, writer.Write(request with { Seed = 8 }));
    }

    [Fact]
    public void PrimesExamplesWithTheOpeningOfAFailureOfTheirClass()
    {
        var writer = new LocalExampleWriter(tiny.Model, Options with { PrimedFraction = 1, PrefixLength = 3 });
        StudentFailure[] failures = [Failure("yyyyxxxx", 1), Failure("xxxxyy", 1), Failure("bbbbbb", 0)];
        var examples = writer.Write(new ExampleRequest(TinyGeneratorFixture.Labels, failures, 9, 0, 1));
        Assert.Equal(9, examples.Count);
        Assert.All(examples.Where(e => e.Label == 1), e => Assert.True(e.Text.StartsWith("yyy", StringComparison.Ordinal) || e.Text.StartsWith("xxx", StringComparison.Ordinal), e.Text));
        Assert.All(examples.Where(e => e.Label == 0), e => Assert.StartsWith("bbb", e.Text));

        // With half primed, some examples of class 1 do not start with a failure's opening.
        var half = new LocalExampleWriter(tiny.Model, Options with { PrimedFraction = 0.5, PrefixLength = 3 })
            .Write(new ExampleRequest(TinyGeneratorFixture.Labels, failures, 12, 0, 1));
        var class1 = half.Where(e => e.Label == 1).ToList();
        int primed = class1.Count(e => e.Text.StartsWith("yyy", StringComparison.Ordinal) || e.Text.StartsWith("xxx", StringComparison.Ordinal));
        Assert.InRange(primed, 4, class1.Count - 1);
    }

    [Fact]
    public void PrefixesEndAtAWordBoundaryWithinTheByteBudget()
    {
        Assert.Equal("Subject: cheap ", LocalExampleWriter.Prefix("Subject: cheap watches for you", 17, 100));
        Assert.Equal("Hello", LocalExampleWriter.Prefix("Hello", 24, 100));
        Assert.Equal("Subject", LocalExampleWriter.Prefix("Subject", 24, 7));
        Assert.Equal("é", LocalExampleWriter.Prefix("éé", 2, 3)); // two bytes each: the second does not fit
        Assert.Equal("", LocalExampleWriter.Prefix("anything", 0, 100));
    }

    [Fact]
    public async Task RejectsARequestForOtherLabels()
    {
        var writer = new LocalExampleWriter(tiny.Model, Options);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteAsync(new ExampleRequest(["ham", "spam"], [], 4, 0, 0)));
        Assert.Contains("labels", ex.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteAsync(new ExampleRequest(TinyGeneratorFixture.Labels, [Failure("a", 4)], 4, 0, 0)));
        Assert.Empty(await writer.WriteAsync(new ExampleRequest(TinyGeneratorFixture.Labels, [], 0, 0, 0)));
    }
}

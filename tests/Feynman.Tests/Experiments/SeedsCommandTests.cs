using Feynman.Cli;
using Feynman.Data;
using Feynman.Experiments;
using Feynman.Tests.Training;

namespace Feynman.Tests.Experiments;

[Collection(Feynman.Tests.Support.ConsoleCollection.Name)]
public class SeedsCommandTests
{
    private const string Recipe = """
        name: blobs-seeds
        data: {train: "test:seeds-train", test: "test:seeds-test", validation: 0}
        training: {epochs: 2, batch_size: 32, optimizer: {name: sgd, lr: 0.1}}
        model: {input: [8], layers: [{linear: 16}, relu, {linear: 3}]}
        """;

    [Fact]
    public void SeedsRunOncePerSeedWriteASummaryAndReuseFinishedSeeds()
    {
        DataSources.Register("test:seeds-train", _ => SyntheticData.Blobs(300, sampleSeed: 1));
        DataSources.Register("test:seeds-test", _ => SyntheticData.Blobs(200, sampleSeed: 2));
        var dir = Path.Combine(Path.GetTempPath(), $"seeds-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var recipe = Path.Combine(dir, "blobs.yaml");
        File.WriteAllText(recipe, Recipe);
        var saved = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            string[] args = ["run", recipe, "--seeds", "1,2", "--out", Path.Combine(dir, "out"), "--db", Path.Combine(dir, "runs.db")];
            Assert.Equal(0, FeynmanCommand.Build().Parse(args).Invoke());
            var one = ExperimentResult.Load(Path.Combine(dir, "out", "seed-1", "results.json"));
            var two = ExperimentResult.Load(Path.Combine(dir, "out", "seed-2", "results.json"));
            Assert.Equal(1UL, one.Seed);
            Assert.Equal(2UL, two.Seed);
            var summary = File.ReadAllText(Path.Combine(dir, "out", "summary.md"));
            var expected = SeedSummary.Build([one, two]);
            Assert.Contains($"{expected.Models[0].Mean * 100:F2} ± {expected.Models[0].Std * 100:F2} %", summary);
            Assert.True(File.Exists(Path.Combine(dir, "out", "summary.json")));

            // A second invocation reuses both finished seeds: their results files are not rewritten.
            var stamp = File.GetLastWriteTimeUtc(Path.Combine(dir, "out", "seed-1", "results.json"));
            Assert.Equal(0, FeynmanCommand.Build().Parse(args).Invoke());
            Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(dir, "out", "seed-1", "results.json")));

            Assert.NotEqual(0, FeynmanCommand.Build().Parse(["run", recipe, "--seeds", "1,x", "--out", Path.Combine(dir, "bad")]).Invoke());
        }
        finally
        {
            Console.SetOut(saved);
            Directory.Delete(dir, recursive: true);
        }
    }
}

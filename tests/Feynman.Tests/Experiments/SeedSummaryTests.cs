using Feynman.Experiments;

namespace Feynman.Tests.Experiments;

public class SeedSummaryTests
{
    private static ExperimentResult Run(ulong seed, double teacher, double student, double gap) => new()
    {
        Recipe = "kd", Paradigm = "distillation", Seed = seed,
        Models = [new ModelOutcome { Name = "t", Role = "teacher", TestAccuracy = teacher }, new ModelOutcome { Name = "s", Role = "student (distilled)", TestAccuracy = student }],
        Metrics = new SortedDictionary<string, double>(StringComparer.Ordinal) { ["gap_closed"] = gap },
    };

    [Fact]
    public void MeanAndSampleStandardDeviationPerModelAndMetric()
    {
        var s = SeedSummary.Build([Run(1, 0.90, 0.80, 0.5), Run(2, 0.92, 0.82, 0.7), Run(3, 0.94, 0.81, 0.6)]);
        Assert.Equal([1UL, 2UL, 3UL], s.Seeds);
        Assert.Equal(0.92, s.Models[0].Mean, 12);
        Assert.Equal(0.02, s.Models[0].Std, 12); // sqrt((0.02² + 0 + 0.02²) / 2)
        Assert.Equal(0.81, s.Models[1].Mean, 12);
        Assert.Equal(0.01, s.Models[1].Std, 12);
        Assert.Equal("gap_closed", s.Metrics[0].Name);
        Assert.Equal(0.6, s.Metrics[0].Mean, 12);
        Assert.Contains("| t | teacher | 92.00 ± 2.00 % | 90.00, 92.00, 94.00 |", s.ToMarkdown());
    }

    [Fact]
    public void OneSeedHasZeroSpread()
    {
        var s = SeedSummary.Build([Run(7, 0.5, 0.4, 0.1)]);
        Assert.Equal(0, s.Models[0].Std);
    }
}

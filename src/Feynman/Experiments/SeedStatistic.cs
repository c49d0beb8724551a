namespace Feynman.Experiments;

/// <summary>One quantity over seeds: mean, sample standard deviation (n − 1; 0 for one seed) and each value.</summary>
public sealed record SeedStatistic(string Name, string Role, double Mean, double Std, IReadOnlyList<double> Values)
{
    public static SeedStatistic Of(string name, string role, IEnumerable<double> values)
    {
        var v = values.ToList();
        double mean = v.Average();
        double std = v.Count > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1)) : 0;
        return new SeedStatistic(name, role, mean, std, v);
    }
}

namespace Feynman.Bench.Models;

/// <summary>The benchmark models by name (the names reference/bench_torch.py uses).</summary>
public static class BenchModels
{
    private static readonly Dictionary<string, Func<BenchModel>> Factories = new()
    {
        ["mlp1200"] = () => TrainingModel.Mlp("mlp1200", [784, 1200, 1200, 10]),
        ["mlp256"] = () => TrainingModel.Mlp("mlp256", [784, 256, 10]),
        ["cnn"] = () => TrainingModel.Cnn(),
        ["mlp256_infer"] = () => new MlpInferModel("mlp256_infer", [784, 256, 10]),
    };

    public static IEnumerable<string> Names => Factories.Keys;

    public static BenchModel Create(string name) =>
        Factories.TryGetValue(name, out var factory) ? factory()
        : throw new ArgumentException($"unknown benchmark model '{name}'; known: {string.Join(", ", Factories.Keys)}.");
}

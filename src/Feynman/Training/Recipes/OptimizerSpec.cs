namespace Feynman.Training.Recipes;

/// <summary>
/// Optimizer settings. <see cref="Name"/> is "sgd", "adam" or "adamw"; fields of other optimizers are
/// ignored. Defaults are PyTorch's, except SGD's learning rate (PyTorch has none).
/// </summary>
public sealed record OptimizerSpec(
    string Name,
    double LearningRate,
    double Momentum = 0,
    bool Nesterov = false,
    double WeightDecay = 0,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Eps = 1e-8)
{
    public static OptimizerSpec Defaults(string name) => name switch
    {
        "sgd" => new OptimizerSpec("sgd", 0.1),
        "adam" => new OptimizerSpec("adam", 1e-3),
        "adamw" => new OptimizerSpec("adamw", 1e-3, WeightDecay: 0.01),
        _ => throw new ArgumentException($"unknown optimizer '{name}'; known: sgd, adam, adamw."),
    };
}

namespace Feynman.Training.Recipes;

/// <summary>
/// Weak-to-strong generalisation (Burns et al. 2023): the training set is split in halves by
/// <see cref="SplitSeed"/>; the weak model (the recipe's teacher) learns from half 1 (from its first
/// <see cref="WeakLabels"/> samples only, when that is positive); its predictions on half 2 teach the strong
/// model (the student) by each of <see cref="Methods"/>; the ceiling is the student trained on half 2's
/// true labels. <see cref="Pretrain"/> pre-trains the strong model's trunk first (unlabelled images of both halves).
/// <see cref="WeakLabelsEpochs"/> trains the few-label weak model for that many epochs instead of the teacher's
/// (1,000 samples are 8 steps an epoch: the teacher's epochs leave it far from converged).
/// <see cref="FreezeTrunk"/> keeps the pre-trained trunk frozen in every strong model (ceiling and methods):
/// only the layers after it learn, as in Burns et al.'s vision experiments (linear probes on pre-trained features).
/// </summary>
public sealed record WeakToStrongSpec(
    IReadOnlyList<string> Methods,
    ulong SplitSeed = 1,
    int WeakLabels = 0,
    double Alpha = 0.75,
    double Warmup = 0.2,
    double Temperature = 1,
    double Tau = 1,
    PretrainSpec? Pretrain = null,
    int? WeakLabelsEpochs = null,
    bool FreezeTrunk = false)
{
    public static readonly string[] AllMethods = ["soft", "hard", "confidence", "augconf", "adaptconf"];
}

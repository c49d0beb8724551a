namespace Feynman.Paradigms;

/// <summary>Settings of Meta Pseudo Labels (Pham et al. 2021).</summary>
public sealed record MetaPseudoLabelsOptions
{
    /// <summary>Teacher–student steps (each: one labelled and one unlabelled batch).</summary>
    public int Steps { get; init; } = 2000;

    public int LabelledBatchSize { get; init; } = 64;

    public int UnlabelledBatchSize { get; init; } = 128;

    public double TeacherLearningRate { get; init; } = 0.05;

    public double StudentLearningRate { get; init; } = 0.05;

    public double Momentum { get; init; } = 0.9;

    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>Weight of the teacher's own cross-entropy on the labelled batch.</summary>
    public float SupervisedWeight { get; init; } = 1f;

    /// <summary>Moving-average decay of the reward baseline: b ← decay·b + (1 − decay)·reward.</summary>
    public float BaselineDecay { get; init; } = 0.9f;

    /// <summary>Epochs of fine-tuning the student on the labels after the MPL steps (as the paper does; 0 = none).</summary>
    public int FinetuneEpochs { get; init; }

    /// <summary>Evaluate the student every this many steps for the history (0 = only at the end).</summary>
    public int EvaluateEvery { get; init; } = 500;

    /// <summary>
    /// Random-crop padding applied to both batches (0 = none): the noise the student learns under, as the
    /// paper's RandAugment; the teacher labels the same cropped images the student sees.
    /// </summary>
    public int CropPadding { get; init; }

    public ulong Seed { get; init; } = 1;
}

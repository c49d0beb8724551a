namespace Feynman.Paradigms;

/// <summary>Settings of the self-training loop (Noisy Student, Xie et al. 2020).</summary>
public sealed record SelfTrainingOptions
{
    /// <summary>Student rounds after the first teacher (each student becomes the next teacher).</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>Pseudo-labels whose top probability is below this are dropped.</summary>
    public float Threshold { get; init; } = 0.9f;

    /// <summary>Keep the same number of pseudo-labels in every class.</summary>
    public bool Balance { get; init; } = true;

    /// <summary>At most this many pseudo-labels per class (0 = no cap).</summary>
    public int MaxPerClass { get; init; }

    /// <summary>
    /// Times the labelled set is repeated in a student's training set, so that the labels keep their weight
    /// (and the student as many passes over them as the teacher had) among many more pseudo-labels.
    /// </summary>
    public int LabelledCopies { get; init; } = 1;
}

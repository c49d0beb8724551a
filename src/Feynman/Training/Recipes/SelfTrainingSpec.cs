namespace Feynman.Training.Recipes;

/// <summary>
/// Self-training (Noisy Student): <see cref="Labels"/> labelled samples, the rest of the training set
/// unlabelled; <see cref="Rounds"/> student rounds; pseudo-labels below <see cref="Threshold"/> dropped,
/// classes balanced when <see cref="Balance"/>, at most <see cref="MaxPerClass"/> per class (0 = no cap); the labelled
/// set repeated <see cref="LabelledCopies"/> times in each student's training set.
/// </summary>
public sealed record SelfTrainingSpec(int Labels = 2000, int Rounds = 3, double Threshold = 0.9, bool Balance = true, int MaxPerClass = 0, int LabelledCopies = 1);

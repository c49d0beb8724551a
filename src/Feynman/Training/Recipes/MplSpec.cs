namespace Feynman.Training.Recipes;

/// <summary>
/// Meta Pseudo Labels: <see cref="Labels"/> labelled samples, the rest unlabelled; <see cref="Steps"/>
/// teacher–student steps; learning rates, reward baseline decay, the teacher's supervised weight and the
/// student's fine-tuning epochs on the labels afterwards. <see cref="TeacherFromLabels"/> starts the teacher from
/// the weights of the labels-only model (same layers with parameters) instead of from scratch.
/// </summary>
public sealed record MplSpec(
    int Labels = 2000,
    int Steps = 2000,
    int LabelledBatch = 64,
    int UnlabelledBatch = 128,
    double TeacherLr = 0.05,
    double StudentLr = 0.05,
    double BaselineDecay = 0.9,
    double SupervisedWeight = 1,
    int FinetuneEpochs = 2,
    bool TeacherFromLabels = false);

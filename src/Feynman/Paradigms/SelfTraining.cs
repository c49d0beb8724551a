using Feynman.Data;
using Feynman.Nn;
using Feynman.Tensors;
using Feynman.Tracking;
using Feynman.Training;

namespace Feynman.Paradigms;

/// <summary>
/// Self-training with a noised student (Noisy Student, Xie et al. 2020): a teacher trained on the labels
/// pseudo-labels the unlabelled pool (in eval mode, un-noised); the confident, optionally class-balanced
/// pseudo-labels join the labels; a fresh student — noised by the dropout in its architecture and the
/// augmentation in its training options — learns from both and becomes the next teacher. Every round uses
/// <see cref="Trainer"/> and is measured on the test set.
/// </summary>
public sealed class SelfTraining(SelfTrainingOptions options, TrainingOptions teacherTraining, TrainingOptions studentTraining)
{
    public SelfTrainingOptions Options { get; } = options;

    public TrainingOptions TeacherTraining { get; } = teacherTraining;

    public TrainingOptions StudentTraining { get; } = studentTraining;

    /// <summary>
    /// Runs round 0 and <see cref="SelfTrainingOptions.Rounds"/> student rounds. <paramref name="createModel"/>
    /// builds a fresh network for a round (0: the teacher) drawing its initialisation and dropout from the
    /// generator it is given. <paramref name="onRound"/> sees every finished round (for logging).
    /// </summary>
    public SelfTrainingResult Run(Func<int, Generator, Module> createModel, IDataset labelled, IDataset unlabelled, IDataset? validation, IDataset test,
                                  ulong seed, IProgress<TrainingProgress>? progress = null, Run? run = null,
                                  Action<SelfTrainingRound, Module>? onRound = null, CancellationToken cancellationToken = default)
    {
        if (Options.Rounds < 1) throw new ArgumentOutOfRangeException(nameof(Options), $"self-training needs at least one round, got {Options.Rounds}.");
        int classes = labelled.ClassNames.Count;
        var rounds = new List<SelfTrainingRound>();
        var rng = new Generator(seed);
        var teacher = createModel(0, rng);
        var trained = new Trainer(TeacherTraining).Fit("round0-teacher", teacher, new SupervisedLesson(), labelled, validation, rng, progress, run, cancellationToken);
        if (trained.Interrupted) return new SelfTrainingResult(rounds, teacher, true);
        Finish(new SelfTrainingRound(0, 0, double.NaN, Evaluator.Evaluate(teacher, test).Accuracy, trained), teacher);

        for (int r = 1; r <= Options.Rounds; r++)
        {
            var probs = Evaluator.Probabilities(teacher, unlabelled);
            var (indices, labels) = PseudoLabeler.Select(probs, classes, Options.Threshold, Options.Balance, Options.MaxPerClass);
            double pseudoAccuracy = PseudoLabelAccuracy(unlabelled, indices, labels);
            var combined = new PseudoLabelledDataset(labelled, unlabelled, indices, labels, Options.LabelledCopies);
            var studentRng = new Generator(seed + (ulong)r * 1_000_003);
            var student = createModel(r, studentRng);
            var options = StudentTraining with { Seed = StudentTraining.Seed + (ulong)r };
            trained = new Trainer(options).Fit($"round{r}-student", student, new SupervisedLesson(), combined, validation, studentRng, progress, run, cancellationToken);
            if (trained.Interrupted) return new SelfTrainingResult(rounds, teacher, true);
            var missing = Enumerable.Range(0, classes).Except(labels).ToArray();
            Finish(new SelfTrainingRound(r, indices.Length, pseudoAccuracy, Evaluator.Evaluate(student, test).Accuracy, trained) {
                ClassesWithoutPseudoLabels = missing,
                ConfidentPerClass = PseudoLabeler.ConfidentCounts(probs, classes, Options.Threshold),
                DistinctPseudoLabelled = indices.Distinct().Count(),
            }, student);
            teacher = student;
        }
        return new SelfTrainingResult(rounds, teacher, false);

        void Finish(SelfTrainingRound round, Module model)
        {
            rounds.Add(round);
            onRound?.Invoke(round, model);
        }
    }

    /// <summary>Share of the pseudo-labels equal to the pool's own labels (NaN if there are none or the pool is unlabelled).</summary>
    public static double PseudoLabelAccuracy(IDataset pool, int[] indices, int[] labels)
    {
        if (indices.Length == 0) return double.NaN;
        int right = 0;
        for (int i = 0; i < indices.Length; i++)
        {
            int truth = pool.GetLabel(indices[i]);
            if (truth < 0) return double.NaN;
            if (truth == labels[i]) right++;
        }
        return (double)right / indices.Length;
    }
}

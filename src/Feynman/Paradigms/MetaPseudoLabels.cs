using System.Diagnostics;
using Feynman.Autograd;
using Feynman.Data;
using Feynman.Nn;
using Feynman.Optim;
using Feynman.Tensors;
using Feynman.Tracking;
using Feynman.Training;

namespace Feynman.Paradigms;

/// <summary>
/// Meta Pseudo Labels (Pham et al. 2021), learning by teaching, in its first-order form: the teacher
/// pseudo-labels (hard, argmax) an unlabelled batch; the student takes one SGD step on them; the change in
/// the student's loss on a labelled batch is the teacher's reward; the teacher is updated by a REINFORCE
/// step on its pseudo-labels' log-likelihood plus its own supervised loss.
///
/// Sign convention: reward r = L_before − L_after (the student's labelled cross-entropy before minus after
/// its step), positive when the pseudo-labels helped. With the moving-average baseline b, the teacher
/// minimises (r − b)·CE(T(x_u), ŷ) + λ·CE(T(x_l), y): for r − b &gt; 0 this raises log p_T(ŷ | x_u) (the
/// teaching is reinforced), for r − b &lt; 0 it lowers it. (This is the paper's h ≈ η·∇L_l·∇L_u, since
/// L_after ≈ L_before − η·∇L_l·∇L_u to first order.)
/// The reward's losses are measured in eval mode, so dropout does not add noise to it.
/// Two models and two optimizers share one loop, so this is its own loop rather than a lesson for
/// <see cref="Trainer"/>; it reuses <see cref="DataLoader"/> and <see cref="Evaluator"/>.
/// </summary>
public sealed class MetaPseudoLabels
{
    private readonly Sgd teacherOptimizer;
    private readonly Sgd studentOptimizer;

    public MetaPseudoLabels(Module teacher, Module student, MetaPseudoLabelsOptions options)
    {
        Teacher = teacher;
        Student = student;
        Options = options;
        teacherOptimizer = new Sgd(teacher.Parameters().ToList(), options.TeacherLearningRate, options.Momentum, 0, options.WeightDecay, false);
        studentOptimizer = new Sgd(student.Parameters().ToList(), options.StudentLearningRate, options.Momentum, 0, options.WeightDecay, false);
    }

    public Module Teacher { get; }

    public Module Student { get; }

    public MetaPseudoLabelsOptions Options { get; }

    /// <summary>The reward baseline (moving average of past rewards; 0 before the first step).</summary>
    public float Baseline { get; private set; }

    /// <summary>One teacher–student step on a labelled and an unlabelled batch.</summary>
    public MetaPseudoLabelsStep Step(Batch labelled, Batch unlabelled)
    {
        using var scope = TensorScope.Begin();
        Teacher.Train();
        var teacherLogitsU = Teacher.Forward(unlabelled.Inputs);
        int classes = teacherLogitsU.Size(1);
        var pseudo = WeakLabels.Argmax(teacherLogitsU.Contiguous().ReadOnlySpan, classes);

        float before = LabelledLoss(labelled);
        Student.Train();
        var studentLoss = Ops.CrossEntropy(Student.Forward(unlabelled.Inputs), pseudo);
        float studentLossValue = studentLoss.Item();
        studentLoss.Backward();
        studentOptimizer.Step();
        studentOptimizer.ZeroGrad();
        float after = LabelledLoss(labelled);

        float reward = before - after;
        float advantage = reward - Baseline;
        var teacherLoss = Ops.Mul(Ops.CrossEntropy(teacherLogitsU, pseudo), advantage);
        if (Options.SupervisedWeight > 0)
            teacherLoss = Ops.Add(teacherLoss, Ops.Mul(Ops.CrossEntropy(Teacher.Forward(labelled.Inputs), labelled.Labels), Options.SupervisedWeight));
        float teacherLossValue = teacherLoss.Item();
        teacherLoss.Backward();
        teacherOptimizer.Step();
        teacherOptimizer.ZeroGrad();

        var step = new MetaPseudoLabelsStep(before, after, reward, Baseline, teacherLossValue, studentLossValue);
        Baseline = Options.BaselineDecay * Baseline + (1 - Options.BaselineDecay) * reward;
        return step;
    }

    private float LabelledLoss(Batch labelled)
    {
        using var _ = GradMode.NoGrad();
        Student.Eval();
        try { return Ops.CrossEntropy(Student.Forward(labelled.Inputs), labelled.Labels).Item(); }
        finally { Student.Train(); }
    }

    /// <summary>
    /// <see cref="MetaPseudoLabelsOptions.Steps"/> steps cycling through both sets (each reshuffled every
    /// pass, by the seed), then optional fine-tuning of the student on the labels with <paramref name="finetune"/>.
    /// </summary>
    public MetaPseudoLabelsResult Run(IDataset labelled, IDataset unlabelled, IDataset test, TrainingOptions? finetune = null,
                                      IProgress<TrainingProgress>? progress = null, Run? run = null, CancellationToken cancellationToken = default)
    {
        var o = Options;
        var clock = Stopwatch.StartNew();
        ITransform[] noise = o.CropPadding > 0 ? [new RandomCrop(o.CropPadding)] : [];
        using var labelledLoader = new DataLoader(labelled, Math.Min(o.LabelledBatchSize, labelled.Count), shuffle: true, seed: o.Seed, dropLast: true, transforms: noise);
        using var unlabelledLoader = new DataLoader(unlabelled, Math.Min(o.UnlabelledBatchSize, unlabelled.Count), shuffle: true, seed: o.Seed + 1, dropLast: true,
                                                    transforms: o.CropPadding > 0 ? [new RandomCrop(o.CropPadding)] : []);
        using var l = new Cycle(labelledLoader);
        using var u = new Cycle(unlabelledLoader);
        var history = new List<(int, double, double)>();
        double rewardSum = 0;
        int rewardCount = 0;
        for (int s = 1; s <= o.Steps; s++)
        {
            if (cancellationToken.IsCancellationRequested)
                return new MetaPseudoLabelsResult(Evaluator.Evaluate(Student, test).Accuracy, Evaluator.Evaluate(Teacher, test).Accuracy, history, clock.Elapsed.TotalSeconds, true);
            var step = Step(l.Next(), u.Next());
            if (!float.IsFinite(step.TeacherLoss) || !float.IsFinite(step.StudentLoss))
                throw new TrainingDivergedException($"meta pseudo labels: loss is not finite at step {s} (teacher {step.TeacherLoss}, student {step.StudentLoss}); lower the learning rates.");
            rewardSum += step.Reward;
            rewardCount++;
            if (progress != null && s % 10 == 0)
                progress.Report(new TrainingProgress("mpl", 0, 1, s, o.Steps, s * (double)o.UnlabelledBatchSize / clock.Elapsed.TotalSeconds, step.StudentLoss, false));
            if ((o.EvaluateEvery > 0 && s % o.EvaluateEvery == 0) || s == o.Steps)
            {
                double acc = Evaluator.Evaluate(Student, test).Accuracy;
                history.Add((s, rewardSum / rewardCount, acc));
                run?.LogEpoch("mpl-student", history.Count, new Dictionary<string, double> { [MetricKeys.ValidationAccuracy] = acc, ["mean_reward"] = rewardSum / rewardCount });
                rewardSum = 0;
                rewardCount = 0;
            }
        }
        if (finetune != null && o.FinetuneEpochs > 0)
        {
            var ft = new Trainer(finetune with { Epochs = o.FinetuneEpochs, Optimizer = "sgd" }).Fit("mpl-student-finetune", Student, new SupervisedLesson(), labelled, null, null, progress, run, cancellationToken);
            if (ft.Interrupted)
                return new MetaPseudoLabelsResult(Evaluator.Evaluate(Student, test).Accuracy, Evaluator.Evaluate(Teacher, test).Accuracy, history, clock.Elapsed.TotalSeconds, true);
        }
        return new MetaPseudoLabelsResult(Evaluator.Evaluate(Student, test).Accuracy, Evaluator.Evaluate(Teacher, test).Accuracy, history, clock.Elapsed.TotalSeconds, false);
    }

    /// <summary>Batches from a loader without end: the next epoch starts when one runs out.</summary>
    private sealed class Cycle(DataLoader loader) : IDisposable
    {
        private int epoch;
        private IEnumerator<Batch>? current;

        public Batch Next()
        {
            while (true)
            {
                current ??= loader.Epoch(epoch++).GetEnumerator();
                if (current.MoveNext()) return current.Current;
                current.Dispose();
                current = null;
            }
        }

        public void Dispose() => current?.Dispose();
    }
}

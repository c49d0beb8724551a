namespace Feynman.Text;

/// <summary>Trains a fresh text student. <paramref name="softTargets"/>, when given, holds one probability row
/// per training example (null rows mean "use the hard label"), so a teacher's soft labels can be learnt.</summary>
public interface ITextStudentTrainer
{
    ITextClassifier Train(
        IReadOnlyList<TextExample> train,
        IReadOnlyList<float[]?>? softTargets,
        IReadOnlyList<string> labelNames,
        int seed,
        IProgress<string>? progress = null,
        CancellationToken cancellationToken = default);
}

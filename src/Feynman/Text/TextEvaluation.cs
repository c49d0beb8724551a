namespace Feynman.Text;

/// <summary>
/// A text classifier's test results: accuracy, precision/recall/F1 of one positive label (e.g. spam), macro F1,
/// mean log loss, the confusion matrix (rows true, columns predicted) and every probability row.
/// </summary>
public sealed record TextEvaluation(
    double Accuracy, double Precision, double Recall, double F1, double MacroF1, double LogLoss, long[][] Confusion, float[][] Probabilities)
{
    /// <summary>Runs <paramref name="classifier"/> over <paramref name="data"/> (labelled examples only).</summary>
    public static TextEvaluation Evaluate(ITextClassifier classifier, TextDataset data, int positiveLabel = 1)
    {
        int classes = data.LabelNames.Count;
        if (classifier.LabelNames.Count != classes)
            throw new ArgumentException($"the classifier has {classifier.LabelNames.Count} labels, the data set {data.Name} {classes}.", nameof(classifier));
        if ((uint)positiveLabel >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(positiveLabel), $"positive label {positiveLabel} is outside [0, {classes}).");
        var probabilities = new float[data.Count][];
        for (int i = 0; i < data.Count; i++)
        {
            probabilities[i] = new float[classes];
            classifier.PredictProbabilities(data[i].Text, probabilities[i]);
        }
        return FromProbabilities(data.Examples.Select(e => e.Label).ToArray(), probabilities, classes, positiveLabel);
    }

    /// <summary>The metrics of given probability rows against <paramref name="labels"/> (rows with label -1 are left out).</summary>
    public static TextEvaluation FromProbabilities(IReadOnlyList<int> labels, float[][] probabilities, int classes, int positiveLabel = 1)
    {
        var confusion = new long[classes][];
        for (int c = 0; c < classes; c++) confusion[c] = new long[classes];
        double logLoss = 0;
        int n = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] < 0) continue;
            int predicted = TensorPrimitives.IndexOfMax<float>(probabilities[i]);
            confusion[labels[i]][predicted]++;
            logLoss -= Math.Log(Math.Max(probabilities[i][labels[i]], 1e-12));
            n++;
        }
        if (n == 0) throw new ArgumentException("no labelled examples to evaluate.", nameof(labels));
        long correct = 0;
        for (int c = 0; c < classes; c++) correct += confusion[c][c];
        double macro = 0;
        for (int c = 0; c < classes; c++) macro += F1Of(confusion, c).F1;
        var (p, r, f) = F1Of(confusion, positiveLabel);
        return new TextEvaluation((double)correct / n, p, r, f, macro / classes, logLoss / n, confusion, probabilities);
    }

    private static (double Precision, double Recall, double F1) F1Of(long[][] confusion, int c)
    {
        long tp = confusion[c][c], predicted = 0, actual = 0;
        for (int k = 0; k < confusion.Length; k++)
        {
            predicted += confusion[k][c];
            actual += confusion[c][k];
        }
        double precision = predicted == 0 ? 0 : (double)tp / predicted;
        double recall = actual == 0 ? 0 : (double)tp / actual;
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return (precision, recall, f1);
    }
}

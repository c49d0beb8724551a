namespace Feynman.Synthesis.Text;

/// <summary>Precision, recall and F-measure as rouge_score reports them for one (target, prediction) pair.</summary>
public readonly record struct RougeScore(double Precision, double Recall, double FMeasure);

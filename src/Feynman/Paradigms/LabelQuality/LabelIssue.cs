namespace Feynman.Paradigms.LabelQuality;

/// <summary>
/// A sample whose given label looks wrong: the label it has, the label the out-of-fold model suggests, and
/// the evidence (the model's probability of each; the margin between them ranks the issues).
/// </summary>
public sealed record LabelIssue(int Index, int GivenLabel, int SuggestedLabel, double SuggestedProbability, double GivenProbability)
{
    public double Margin => SuggestedProbability - GivenProbability;
}

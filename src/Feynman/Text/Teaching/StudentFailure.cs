namespace Feynman.Text.Teaching;

/// <summary>A development-set example the student got wrong or was least sure of.</summary>
public sealed record StudentFailure(string Text, int TrueLabel, int PredictedLabel, float Confidence);

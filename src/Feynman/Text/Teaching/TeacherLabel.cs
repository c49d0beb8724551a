namespace Feynman.Text.Teaching;

/// <summary>A teacher's answer for one text: its probabilities over the label set and their argmax, or, when it
/// gave no valid label after its retries, Label = -1 and the reason in <paramref name="Rejected"/>.
/// Tokens and cost are what this answer cost (zero when it came from the cache).</summary>
public sealed record TeacherLabel(int Label, float[]? Probabilities, string? Rejected, long Tokens, decimal Cost)
{
    public bool IsValid => Label >= 0 && Rejected is null;
}

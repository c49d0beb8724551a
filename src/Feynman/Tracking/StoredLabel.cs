namespace Feynman.Tracking;

/// <summary>
/// One label as stored: the item, the label, who gave it and when. Labels are never overwritten; an undo marks
/// the label retracted (<see cref="RetractedAt"/>) and keeps the row.
/// </summary>
public sealed record StoredLabel(long Id, int Item, int Label, string Annotator, DateTimeOffset At, DateTimeOffset? RetractedAt = null)
{
    public bool IsRetracted => RetractedAt is not null;
}

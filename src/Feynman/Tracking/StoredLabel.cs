namespace Feynman.Tracking;

/// <summary>One label as stored: the item, the label, who gave it and when. Labels are never overwritten.</summary>
public sealed record StoredLabel(long Id, int Item, int Label, string Annotator, DateTimeOffset At);

namespace Feynman.Web;

/// <summary>One item the annotation queue offers: its pool index, kind ("image" or "text"), and the student's guess.</summary>
public sealed record QueueItem(int Id, string Kind, int Prediction, double Confidence);

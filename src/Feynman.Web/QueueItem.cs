namespace Feynman.Web;

/// <summary>
/// One item the annotation queue offers: its pool index, kind ("image": fetch GET /api/items/{id}/image.png; or
/// "text", with <see cref="Text"/>), and the student's guess.
/// </summary>
public sealed record QueueItem(int Id, string Kind, int Prediction, double Confidence, string? Text = null);

namespace Feynman.Web;

/// <summary>One point of the annotation run's learning curve: a student version, the labels it learned from, its held-out accuracy, its training time.</summary>
public sealed record CurvePoint(int Version, int Labels, double? Accuracy, double Seconds, DateTimeOffset At);

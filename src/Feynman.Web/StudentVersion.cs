using Feynman.Nn;

namespace Feynman.Web;

/// <summary>The student the queue uses: its version (0 is the starting student), the labels it was trained on, its held-out accuracy.</summary>
public sealed record StudentVersion(int Version, Module Model, int Labels, double? Accuracy, DateTimeOffset At);

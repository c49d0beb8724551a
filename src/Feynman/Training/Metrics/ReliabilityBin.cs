namespace Feynman.Training.Metrics;

/// <summary>One bin of a reliability diagram: confidences in (Lower, Upper], their mean, the accuracy there, and how many.</summary>
public readonly record struct ReliabilityBin(double Lower, double Upper, double Confidence, double Accuracy, int Count);

namespace Feynman.Paradigms.ActiveLearning;

/// <summary>One round of an active-learning run: labels held, the student's test accuracy, and the labels' total cost so far.</summary>
public sealed record ActiveLearningPoint(int Labels, double TestAccuracy, double Cost);

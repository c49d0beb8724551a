namespace Feynman.Training.Recipes;

/// <summary>
/// Knowledge distillation (Hinton, Vinyals, Dean 2015): loss = α·CE(student, y) + (1−α)·T²·KL(softmax(teacher/T) ‖ softmax(student/T)).
/// With several teachers the soft targets are their mean. <see cref="Baseline"/> also trains the student
/// from labels alone, for comparison.
/// </summary>
public sealed record DistillationSpec(double Temperature = 4, double Alpha = 0.1, bool Baseline = true);

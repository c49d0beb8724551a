namespace Feynman.Text.Models;

/// <summary>The fastText-style student: its tokenizer, embedding size and training.</summary>
public sealed record FastTextOptions
{
    public TokenizerOptions Tokenizer { get; init; } = new();

    public int Dimension { get; init; } = 32;

    public StudentTrainingOptions Training { get; init; } = new() { Epochs = 5, BatchSize = 32, LearningRate = 0.01 };
}

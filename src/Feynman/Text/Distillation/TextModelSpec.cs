using Feynman.Text.Models;

namespace Feynman.Text.Distillation;

/// <summary>One text model of a recipe: its name, kind ("fasttext" or "transformer") and that kind's options.</summary>
public sealed record TextModelSpec(string Name, string Kind, FastTextOptions? FastText, TransformerTextOptions? Transformer)
{
    public const string FastTextKind = "fasttext";
    public const string TransformerKind = "transformer";

    public StudentTrainingOptions Training => FastText?.Training ?? Transformer!.Training;

    /// <summary>A trainer for this model, with <paramref name="training"/> in place of the recipe's training when given.</summary>
    public ITextStudentTrainer CreateTrainer(StudentTrainingOptions? training = null) => Kind switch
    {
        FastTextKind => new FastTextTrainer(training is null ? FastText : FastText! with { Training = training }),
        _ => new TransformerTextTrainer(training is null ? Transformer : Transformer! with { Training = training }),
    };
}

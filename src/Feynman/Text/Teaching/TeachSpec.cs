using Feynman.Synthesis.Teachers;
using Feynman.Text.Labelling;

namespace Feynman.Text.Teaching;

/// <summary>
/// A recipe's <c>teach:</c> section (docs/text-teaching.md): the loop's settings, the data source, the student, the
/// labelling teacher and the example writer (registered names, <see cref="TeachingComponents"/>), an optional LLM
/// endpoint with its budget, and how the LLM is asked. With an endpoint (here or from --teacher-url/--teacher-model)
/// the labeller and the writer are the LLM; without one they are the named local ones.
/// </summary>
public sealed record TeachSpec
{
    public const string SectionKey = "teach";
    public const string ParadigmName = "teach";
    public const string Llm = "llm";

    public TeachingOptions Loop { get; init; } = new();

    /// <summary>Label names in class order; when absent, the data source decides.</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    public TeachComponent Data { get; init; } = TeachComponent.Named("jsonl");
    public TeachComponent Student { get; init; } = TeachComponent.Named("fasttext");
    public TeachComponent Labeler { get; init; } = TeachComponent.Named("local");
    public TeachComponent Writer { get; init; } = TeachComponent.Named("local");

    /// <summary>The LLM teacher; null runs the local labeller and writer.</summary>
    public TeacherEndpoint? Endpoint { get; init; }
    public double TimeoutSeconds { get; init; } = 120;
    public double? MaxCost { get; init; }
    public long? MaxTokens { get; init; }

    public LlmLabelerOptions Labelling { get; init; } = new();

    /// <summary>Labelled examples per label shown to the LLM labeller, taken from the data's training set.</summary>
    public int FewShotPerLabel { get; init; }

    public LlmExampleWriterOptions Writing { get; init; } = new();
}

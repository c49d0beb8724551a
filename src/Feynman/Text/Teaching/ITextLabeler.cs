namespace Feynman.Text.Teaching;

/// <summary>A teacher that labels texts: an LLM (soft labels from top_logprobs or k samples) or a local large
/// text model. One result per input text, in order.</summary>
public interface ITextLabeler
{
    string Name { get; }

    Task<IReadOnlyList<TeacherLabel>> LabelAsync(
        IReadOnlyList<string> texts,
        IReadOnlyList<string> labelNames,
        CancellationToken cancellationToken = default);
}

namespace Feynman.Text.Teaching;

/// <summary>A teacher that writes new labelled training examples: an LLM behind IChatClient, or a local
/// class-conditioned language model when no endpoint is configured. Returned examples carry the label the
/// writer intends; the loop filters them (novelty, label validity, teacher confidence).</summary>
public interface IExampleWriter
{
    string Name { get; }

    Task<IReadOnlyList<TextExample>> WriteAsync(ExampleRequest request, CancellationToken cancellationToken = default);
}

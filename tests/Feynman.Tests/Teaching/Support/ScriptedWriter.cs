using Feynman.Text;
using Feynman.Text.Teaching;

namespace Feynman.Tests.Teaching.Support;

/// <summary>An example writer that answers each round from a script, and remembers what it was asked.</summary>
public sealed class ScriptedWriter(Func<ExampleRequest, IReadOnlyList<TextExample>> script) : IExampleWriter
{
    public string Name => "scripted";
    public List<ExampleRequest> Requests { get; } = [];

    /// <summary>Called before answering (e.g. to cancel the run in a given round).</summary>
    public Action<ExampleRequest>? Before { get; set; }

    public Task<IReadOnlyList<TextExample>> WriteAsync(ExampleRequest request, CancellationToken cancellationToken = default)
    {
        Requests.Add(request);
        Before?.Invoke(request);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(script(request));
    }
}

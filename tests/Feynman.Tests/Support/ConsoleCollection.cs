namespace Feynman.Tests.Support;

/// <summary>
/// Tests that run CLI commands (which write to Console) or swap Console.Out run one at a time:
/// a test capturing Console.Out would otherwise receive, and race with, another test's output.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}

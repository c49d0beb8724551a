using Feynman.Tensors;

namespace Feynman.Autograd;

/// <summary>
/// One recorded operation on the tape: its inputs, its output, and the backward function that turns
/// the output's gradient into gradients of the inputs (accumulated with <see cref="AutogradEngine.GradTarget"/>).
/// </summary>
public sealed class Node
{
    private static long sequence;

    internal Node(string name, Tensor output, Tensor[] inputs, Action<Tensor> backward)
    {
        Name = name;
        Output = output;
        Inputs = inputs;
        Backward = backward;
        Sequence = Interlocked.Increment(ref sequence);
    }

    /// <summary>The operation's name as anomaly messages and <c>ToString()</c> show it ("linear", "relu", ...).</summary>
    public string Name { get; }

    public Tensor Output { get; }

    public IReadOnlyList<Tensor> Inputs { get; }

    internal Action<Tensor> Backward { get; }

    /// <summary>Creation order: processing nodes from the newest down is a valid topological order.</summary>
    internal long Sequence { get; }

    /// <summary>Marks the node as visited in the backward pass numbered with this value.</summary>
    internal long VisitMark;

    public override string ToString() => $"{Name} -> {Output.ShapeString}";
}

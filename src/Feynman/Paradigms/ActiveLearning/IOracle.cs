namespace Feynman.Paradigms.ActiveLearning;

/// <summary>
/// Whoever answers label requests: the dataset's own labels (simulation, <see cref="DatasetOracle"/>), a
/// person through the annotation app, or an LLM teacher. Asynchronous because people and remote models
/// answer late; an oracle may answer only some items (a person skips one), and says what each label cost.
/// </summary>
public interface IOracle
{
    string Name { get; }

    /// <summary>Labels for some or all of <paramref name="items"/> (pool indices), each with its cost and who gave it.</summary>
    ValueTask<IReadOnlyList<OracleLabel>> RequestLabelsAsync(IReadOnlyList<int> items, CancellationToken cancellationToken = default);
}

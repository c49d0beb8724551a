namespace Feynman.Paradigms.ActiveLearning;

/// <summary>One answer of an <see cref="IOracle"/>: the item (pool index), its label, what it cost and who gave it.</summary>
public sealed record OracleLabel(int Item, int Label, double Cost, string Annotator);

namespace Feynman.Nn;

/// <summary>What <see cref="Module.LoadStateDict"/> did not match (PyTorch's _IncompatibleKeys); empty after a strict load.</summary>
public sealed record LoadStateDictResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);

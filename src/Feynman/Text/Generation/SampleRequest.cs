namespace Feynman.Text.Generation;

/// <summary>One text to sample: its class (<see cref="TextExample.Unlabelled"/> for the unconditioned voice) and an optional
/// <paramref name="Prefix"/> the text must start with, which primes what follows.</summary>
public sealed record SampleRequest(int Label, string Prefix = "");

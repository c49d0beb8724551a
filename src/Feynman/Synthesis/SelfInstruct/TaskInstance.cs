namespace Feynman.Synthesis.SelfInstruct;

/// <summary>One input/output example of a task; the input may be empty.</summary>
public sealed record TaskInstance(string Input, string Output);

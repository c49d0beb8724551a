namespace Feynman.Synthesis.Alpaca;

/// <summary>One record of alpaca_data.json: instruction, input (empty when none) and output.</summary>
public sealed record AlpacaExample(string Instruction, string Input, string Output);

namespace Feynman.Text.Labelling;

/// <summary>Where an LLM labeller's probabilities come from.</summary>
public enum SoftLabelSource
{
    /// <summary>top_logprobs when the endpoint returns them (probed once), else k samples.</summary>
    Auto,
    /// <summary>The first answer token's top_logprobs, renormalised over the labels.</summary>
    LogProbs,
    /// <summary>Vote frequencies over k sampled answers (temperature above 0, seeded).</summary>
    Samples,
}

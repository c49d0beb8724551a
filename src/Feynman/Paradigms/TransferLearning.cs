using Feynman.Nn;

namespace Feynman.Paradigms;

/// <summary>Reusing a pre-trained trunk: the first layers of a Sequential classifier, fine-tuned or frozen.</summary>
public static class TransferLearning
{
    /// <summary>
    /// The first <paramref name="layers"/> modules of <paramref name="model"/> as a Sequential that shares
    /// them (same parameters, and the same names "i.weight", so trunk weights saved from it load into the
    /// full model with <c>strict: false</c>).
    /// </summary>
    public static Sequential Trunk(Sequential model, int layers)
    {
        if (layers <= 0 || layers >= model.Count)
            throw new ArgumentOutOfRangeException(nameof(layers), $"the trunk must be 1..{model.Count - 1} of the model's {model.Count} layers, got {layers}.");
        return new Sequential(model.Take(layers));
    }

    /// <summary>Freezes the trunk's parameters (a linear probe trains only the layers after it).</summary>
    public static void Freeze(Sequential model, int layers)
    {
        for (int i = 0; i < layers; i++) model[i].RequireGrad(false);
    }
}

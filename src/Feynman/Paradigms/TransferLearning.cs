using Feynman.Autograd;
using Feynman.Data;
using Feynman.Nn;
using Feynman.Tensors;

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

    /// <summary>
    /// The frozen trunk's output for every sample of <paramref name="data"/>, as a dataset with the same order,
    /// labels and classes: the layers after a frozen trunk then train on it without running the trunk each epoch.
    /// </summary>
    public static ImageDataset Features(Module trunk, IDataset data, int batchSize = 256)
    {
        bool wasTraining = trunk.IsTraining;
        trunk.Eval();
        try
        {
            float[]? features = null;
            int[] shape = [];
            int size = 0;
            var labels = new int[data.Count];
            var input = new float[batchSize * data.SampleSize];
            for (int start = 0; start < data.Count; start += batchSize)
            {
                int n = Math.Min(batchSize, data.Count - start);
                for (int i = 0; i < n; i++)
                {
                    data.CopyInput(start + i, input.AsSpan(i * data.SampleSize, data.SampleSize));
                    labels[start + i] = data.GetLabel(start + i);
                }
                using var scope = TensorScope.Begin();
                using var noGrad = GradMode.NoGrad();
                var y = trunk.Forward(Tensor.From(input.AsSpan(0, n * data.SampleSize), [n, .. data.SampleShape])).Contiguous();
                if (features is null)
                {
                    shape = y.Shape.ToArray()[1..];
                    size = y.Count / n;
                    features = new float[(long)data.Count * size];
                }
                y.ReadOnlySpan.CopyTo(features.AsSpan(start * size, n * size));
            }
            return new ImageDataset($"{data.Name}[trunk features]", features ?? [], labels, shape, data.ClassNames);
        }
        finally { trunk.Train(wasTraining); }
    }
}

using Feynman.Autograd;
using Feynman.Data;
using Feynman.Nn;
using Feynman.Tensors;

namespace Feynman.Paradigms.ActiveLearning;

/// <summary>Runs a model (or part of one) over some pool samples without gradients and collects its outputs.</summary>
public static class ModelOutputs
{
    /// <summary>
    /// Softmax probabilities [samples × classes] of <paramref name="indices"/> of <paramref name="data"/>, in that order.
    /// With <paramref name="monteCarloDropout"/> the model runs in eval mode except its dropout layers, which
    /// keep dropping (Gal and Ghahramani's MC dropout), so each call is one stochastic pass.
    /// </summary>
    public static float[] Probabilities(Module model, IDataset data, int[] indices, bool monteCarloDropout = false, int batchSize = 1000)
    {
        int classes = data.ClassNames.Count;
        var probs = Run(model, data, indices, classes, batchSize, monteCarloDropout, model.Forward);
        SoftMax.RowsAtTemperature(probs, classes, 1f, probs);
        return probs;
    }

    /// <summary>
    /// The student's embedding of each sample: the activations that enter the last linear layer of a
    /// <see cref="Sequential"/> (its penultimate representation), [samples × width].
    /// </summary>
    public static float[] Embeddings(Module model, IDataset data, int[] indices, out int width, int batchSize = 1000)
    {
        if (model is not Sequential seq)
            throw new ArgumentException($"embeddings need a Sequential model (layers in order), got {model.GetType().Name}.", nameof(model));
        int last = -1;
        for (int i = 0; i < seq.Count; i++) if (seq[i] is Linear) last = i;
        if (last < 0) throw new ArgumentException("embeddings are the input of the model's last linear layer, but the model has no linear layer.", nameof(model));
        width = ((Linear)seq[last]).InFeatures;
        Tensor Head(Tensor x)
        {
            for (int i = 0; i < last; i++) x = seq[i].Forward(x);
            return x;
        }
        return Run(model, data, indices, width, batchSize, false, Head);
    }

    private static float[] Run(Module model, IDataset data, int[] indices, int width, int batchSize, bool keepDropout, Func<Tensor, Tensor> forward)
    {
        var outputs = new float[indices.Length * width];
        bool wasTraining = model.IsTraining;
        model.Eval();
        if (keepDropout)
            foreach (var m in model.Modules())
                if (m is Dropout) m.Train(true);
        try
        {
            using var loader = new DataLoader(new Subset(data, indices), batchSize);
            using var _ = GradMode.NoGrad();
            int offset = 0;
            foreach (var batch in loader.Epoch(0))
            {
                using var scope = TensorScope.Begin();
                var y = forward(batch.Inputs);
                if (y.Count != batch.Size * width)
                    throw new InvalidOperationException($"model output {y.ShapeString} does not match {batch.Size} samples of width {width} ({data.Name}).");
                y.Contiguous().Span.CopyTo(outputs.AsSpan(offset, batch.Size * width));
                offset += batch.Size * width;
            }
        }
        finally
        {
            model.Train(wasTraining);
        }
        return outputs;
    }
}

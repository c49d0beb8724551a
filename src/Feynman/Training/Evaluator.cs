using Feynman.Autograd;
using Feynman.Data;
using Feynman.Nn;
using Feynman.Paradigms;
using Feynman.Tensors;
using Feynman.Training.Metrics;

namespace Feynman.Training;

/// <summary>Runs a model over a dataset in eval mode under no-grad and measures it.</summary>
public static class Evaluator
{
    /// <summary>Softmax probabilities for every sample, in dataset order.</summary>
    public static float[] Probabilities(Module model, IDataset data, int batchSize = 1000)
    {
        int classes = data.ClassNames.Count;
        var probs = new float[data.Count * classes];
        bool wasTraining = model.IsTraining;
        model.Eval();
        try
        {
            using var loader = new DataLoader(data, batchSize);
            using var _ = GradMode.NoGrad();
            int offset = 0;
            foreach (var batch in loader.Epoch(0))
            {
                using var scope = TensorScope.Begin();
                var logits = model.Forward(batch.Inputs);
                if (logits.Count != batch.Size * classes)
                    throw new InvalidOperationException($"model output {logits.ShapeString} does not match {batch.Size} samples of {classes} classes ({data.Name}).");
                SoftMax.RowsAtTemperature(logits.Span, classes, 1f, probs.AsSpan(offset, batch.Size * classes));
                offset += batch.Size * classes;
            }
        }
        finally
        {
            model.Train(wasTraining);
        }
        return probs;
    }

    public static EvaluationResult Evaluate(Module model, IDataset data, int batchSize = 1000)
    {
        int classes = data.ClassNames.Count;
        var probs = Probabilities(model, data, batchSize);
        var labels = new int[data.Count];
        for (int i = 0; i < labels.Length; i++) labels[i] = data.GetLabel(i);
        var bins = Classification.Reliability(probs, classes, labels);
        return new EvaluationResult(
            Classification.Accuracy(probs, classes, labels),
            Classification.NegativeLogLikelihood(probs, classes, labels),
            Classification.ExpectedCalibrationError(bins),
            Classification.Confusion(probs, classes, labels),
            bins,
            probs,
            classes);
    }
}

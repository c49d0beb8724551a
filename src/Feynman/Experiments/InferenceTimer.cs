using System.Diagnostics;
using Feynman.Autograd;
using Feynman.Data;
using Feynman.Nn;
using Feynman.Tensors;

namespace Feynman.Experiments;

/// <summary>
/// Latency of one-sample inference, the median over many calls: through <see cref="CompiledMlp"/> (no
/// autograd, no allocation, no threads) when the model compiles to it, else the eval-mode forward under no-grad.
/// </summary>
public static class InferenceTimer
{
    public static double MedianMicroseconds(Module model, IDataset data, int calls = 300)
    {
        var input = new float[data.SampleSize];
        var times = new double[calls];
        if (model is Sequential seq && CompiledMlp.TryCompile(seq, out var compiled, out _))
        {
            var output = new float[compiled.OutputSize];
            for (int i = -20; i < calls; i++)
            {
                data.CopyInput((Math.Max(i, 0) * 7919) % data.Count, input);
                long start = Stopwatch.GetTimestamp();
                compiled.Predict(input, output);
                long end = Stopwatch.GetTimestamp();
                if (i >= 0) times[i] = (end - start) * 1e6 / Stopwatch.Frequency;
            }
        }
        else
        {
            bool wasTraining = model.IsTraining;
            model.Eval();
            int[] shape = [1, .. data.SampleShape];
            try
            {
                using var _ = GradMode.NoGrad();
                for (int i = -20; i < calls; i++)
                {
                    data.CopyInput((Math.Max(i, 0) * 7919) % data.Count, input);
                    using var scope = TensorScope.Begin();
                    var x = Tensor.FromArray(input, shape);
                    long start = Stopwatch.GetTimestamp();
                    model.Forward(x);
                    long end = Stopwatch.GetTimestamp();
                    if (i >= 0) times[i] = (end - start) * 1e6 / Stopwatch.Frequency;
                }
            }
            finally
            {
                model.Train(wasTraining);
            }
        }
        Array.Sort(times);
        return times[calls / 2];
    }
}

using System.Diagnostics;
using Feynman.Autograd;
using Feynman.Data;
using Feynman.Nn;
using Feynman.Tensors;

namespace Feynman.Experiments;

/// <summary>Latency of one-sample inference (eval mode, no-grad), the median over many calls.</summary>
public static class InferenceTimer
{
    public static double MedianMicroseconds(Module model, IDataset data, int calls = 300)
    {
        bool wasTraining = model.IsTraining;
        model.Eval();
        var input = new float[data.SampleSize];
        int[] shape = [1, .. data.SampleShape];
        var times = new double[calls];
        try
        {
            using var _ = GradMode.NoGrad();
            for (int i = -20; i < calls; i++)
            {
                data.CopyInput((Math.Max(i, 0) * 7919) % data.Count, input);
                using var scope = TensorScope.Begin();
                var x = Tensor.FromArray(input, shape);
                long start = Stopwatch.GetTimestamp();
                var y = model.Forward(x);
                float sink = y.Span[0];
                long end = Stopwatch.GetTimestamp();
                if (i >= 0) times[i] = (end - start) * 1e6 / Stopwatch.Frequency + (sink == float.MinValue ? 1 : 0);
            }
        }
        finally
        {
            model.Train(wasTraining);
        }
        Array.Sort(times);
        return times[calls / 2];
    }
}

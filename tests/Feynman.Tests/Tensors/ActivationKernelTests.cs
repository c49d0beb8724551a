using Feynman.Tensors.Kernels;

namespace Feynman.Tests.Tensors;

public class ActivationKernelTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(19, false)]
    [InlineData(19, true)]
    [InlineData(64, true)]
    public void ReluBackwardMasksByOutputAndAccumulates(int length, bool accumulate)
    {
        var rng = new Random(length);
        var output = Enumerable.Range(0, length).Select(i => i % 3 == 0 ? 0f : (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var grad = Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var prior = Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var target = (float[])prior.Clone();
        ActivationKernels.ReluBackward(output, grad, target, accumulate);
        for (int i = 0; i < length; i++)
        {
            float d = output[i] > 0f ? grad[i] : 0f;
            Assert.Equal(accumulate ? prior[i] + d : d, target[i]);
        }
    }
}

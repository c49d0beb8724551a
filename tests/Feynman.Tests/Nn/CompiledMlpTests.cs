using Feynman.Autograd;
using Feynman.Nn;
using Feynman.Optim;
using Feynman.Tensors;
using Feynman.Tests.Support;

namespace Feynman.Tests.Nn;

/// <summary>The allocation-free one-sample inference path gives what the eval-mode forward gives.</summary>
public class CompiledMlpTests
{
    private static float[] Forward(Module model, float[] batch, int count, params int[] sampleShape)
    {
        model.Eval();
        using var _ = GradMode.NoGrad();
        using var scope = TensorScope.Begin();
        return model.Call(Tensor.From(batch, [count, .. sampleShape])).ToArray();
    }

    private static float[] Random(Generator rng, int n)
    {
        var values = new float[n];
        rng.FillNormal(values, 0, 1);
        return values;
    }

    [Fact]
    public void Mlp784x256x10MatchesTheEvalForward()
    {
        var rng = new Generator(3);
        using var model = new Sequential(new Flatten(), new Linear(784, 256, rng: rng), new ReLU(), new Linear(256, 10, rng: rng));
        var compiled = CompiledMlp.Compile(model);
        Assert.Equal(784, compiled.InputSize);
        Assert.Equal(10, compiled.OutputSize);
        const int count = 5;
        var inputs = Random(rng, count * 784);
        var expected = Forward(model, inputs, count, 1, 28, 28);
        var actual = new float[count * 10];
        compiled.Predict(inputs, actual, count);
        AssertClose.Equal(expected, actual, rtol: 1e-5, atol: 1e-5, what: "batch predict");
        // One sample at a time, through the allocating convenience overload too.
        AssertClose.Equal(expected.AsSpan(0, 10), compiled.Predict(inputs.AsSpan(0, 784)), rtol: 1e-5, atol: 1e-5, what: "sample 0");
    }

    [Fact]
    public void EveryLayerKindAndOddSizesMatchTheEvalForward()
    {
        var rng = new Generator(4);
        // Sizes not multiples of 4 or 8 exercise the row and column remainders of the matrix-vector loop.
        var norm = new BatchNorm1d(13);
        using var model = new Sequential(
            new Linear(37, 13, rng: rng), norm, new Tanh(), new Dropout(0.5, rng),
            new Sequential(new Linear(13, 9, bias: false, rng: rng), new Sigmoid(), new Identity()),
            new Linear(9, 22, rng: rng), new ReLU(), new Linear(22, 3, rng: rng), new ReLU(), new Linear(3, 6, rng: rng), new LogSoftmax(1));
        // Move the running statistics and affine parameters away from their initial values.
        Random(rng, 13).CopyTo(norm.RunningMean!.Span);
        Random(rng, 13).Select(v => Math.Abs(v) + 0.1f).ToArray().CopyTo(norm.RunningVar!.Span);
        Random(rng, 13).CopyTo(norm.Weight!.Span);
        Random(rng, 13).CopyTo(norm.Bias!.Span);
        var compiled = CompiledMlp.Compile(model);
        const int count = 4;
        var inputs = Random(rng, count * 37);
        var expected = Forward(model, inputs, count, 37);
        var actual = new float[count * 6];
        compiled.Predict(inputs, actual, count);
        AssertClose.Equal(expected, actual, rtol: 1e-5, atol: 1e-5, what: "mixed layers");

        using var softmaxModel = new Sequential(new Linear(5, 4, rng: rng), new Softmax(-1));
        var x = Random(rng, 5);
        var probabilities = CompiledMlp.Compile(softmaxModel).Predict(x);
        AssertClose.Equal(Forward(softmaxModel, x, 1, 5), probabilities, rtol: 1e-5, atol: 1e-6, what: "softmax");
    }

    [Fact]
    public void SeesParametersChangedAfterCompiling()
    {
        var rng = new Generator(5);
        using var model = new Sequential(new Linear(16, 8, rng: rng), new ReLU(), new Linear(8, 2, rng: rng));
        var compiled = CompiledMlp.Compile(model);
        var x = Random(rng, 16);
        var before = compiled.Predict(x);
        var optimizer = new Sgd(model.Parameters(), 0.5);
        using (TensorScope.Begin()) Ops.Sum(model.Call(Tensor.From(x, 1, 16))).Backward();
        optimizer.Step();
        var after = compiled.Predict(x);
        Assert.NotEqual(before, after);
        AssertClose.Equal(Forward(model, x, 1, 16), after, rtol: 1e-5, atol: 1e-6, what: "after an optimizer step");
    }

    [Fact]
    public void PredictAllocatesNothing()
    {
        var rng = new Generator(6);
        using var model = new Sequential(new Linear(784, 256, rng: rng), new ReLU(), new Linear(256, 10, rng: rng), new LogSoftmax(1));
        var compiled = CompiledMlp.Compile(model);
        var x = Random(rng, 784);
        var y = new float[10];
        compiled.Predict(x, y); // warm up (JIT)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) compiled.Predict(x, y);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void RejectsWhatItCannotRun()
    {
        using var conv = new Sequential(new Conv2d(1, 2, 3), new Flatten(), new Linear(2, 2));
        var e = Assert.Throws<NotSupportedException>(() => CompiledMlp.Compile(conv));
        Assert.Contains("'0' (Conv2d)", e.Message);
        Assert.False(CompiledMlp.TryCompile(conv, out var none, out var reason));
        Assert.Null(none);
        Assert.Equal(e.Message, reason);
        using var nested = new Sequential(new Sequential(new Linear(3, 2)), new ReLU());
        Assert.True(CompiledMlp.TryCompile(nested, out var ok, out _));
        Assert.Equal((3, 2), (ok.InputSize, ok.OutputSize));

        using var mismatch = new Sequential(new Linear(4, 3), new ReLU(), new Linear(5, 2));
        Assert.Contains("takes 5 features", Assert.Throws<ArgumentException>(() => CompiledMlp.Compile(mismatch)).Message);

        using var model = new Sequential(new Linear(4, 3));
        var compiled = CompiledMlp.Compile(model);
        Assert.Contains("expected 4", Assert.Throws<ArgumentException>(() => compiled.Predict(new float[5], new float[3])).Message);
        Assert.Contains("expected 3", Assert.Throws<ArgumentException>(() => compiled.Predict(new float[4], new float[2])).Message);
    }
}

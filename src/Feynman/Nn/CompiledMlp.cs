using System.Diagnostics.CodeAnalysis;
using Feynman.Tensors;
using Feynman.Tensors.Kernels;

namespace Feynman.Nn;

/// <summary>
/// A one-sample inference path for a feed-forward <see cref="Sequential"/> in evaluation mode: no autograd,
/// no tensors, no allocation and no threads, just matrix-vector products (<see cref="Gemv"/>) into two scratch vectors. At one
/// sample the arithmetic takes microseconds, so bookkeeping and thread hand-offs would dominate the normal path.
/// Supported layers: Linear (a following ReLU is fused into it), ReLU, Tanh, Sigmoid, Flatten (of all but the
/// batch dimension), Identity, Dropout (the identity, as in eval), BatchNorm1d with running statistics,
/// Softmax and LogSoftmax over the features, and nested Sequentials. It computes what the model's eval-mode
/// forward computes, reading the parameters live, so later training or loading is seen. One instance is not
/// safe to call from two threads at once (the scratch vectors are shared); compile one per thread.
/// </summary>
public sealed class CompiledMlp
{
    private enum Kind { Linear, Relu, Tanh, Sigmoid, Softmax, LogSoftmax, BatchNorm }

    private readonly record struct Step(Kind Kind, int In, int Out, Tensor? Weight = null, Tensor? Bias = null, bool Relu = false, BatchNormBase? Norm = null);

    private readonly Step[] steps;
    private readonly float[] scratchA;
    private readonly float[] scratchB;

    private CompiledMlp(List<Step> steps, int inputSize, int outputSize, int widest)
    {
        this.steps = [.. steps];
        InputSize = inputSize;
        OutputSize = outputSize;
        scratchA = new float[widest];
        scratchB = new float[widest];
    }

    /// <summary>Features per input sample.</summary>
    public int InputSize { get; }

    /// <summary>Values per output sample.</summary>
    public int OutputSize { get; }

    /// <summary>
    /// Plans the inference path of <paramref name="model"/>, which must contain at least one Linear (it fixes the
    /// input size). Throws <see cref="NotSupportedException"/> naming the first layer this path cannot run.
    /// </summary>
    public static CompiledMlp Compile(Sequential model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layers = new List<(string Path, Module Layer)>();
        Collect(model, "", layers);
        int inputSize = -1;
        foreach (var (_, layer) in layers)
        {
            if (layer is Linear first) { inputSize = first.InFeatures; break; }
            if (layer is BatchNormBase bn) { inputSize = bn.NumFeatures; break; }
        }
        if (inputSize < 0) throw new NotSupportedException("CompiledMlp needs a Linear (or BatchNorm1d) layer to fix the input size; this Sequential has none.");

        var steps = new List<Step>();
        int width = inputSize, widest = inputSize;
        for (int i = 0; i < layers.Count; i++)
        {
            var (path, layer) = layers[i];
            string where = $"layer '{path}' ({layer.GetType().Name})";
            switch (layer)
            {
                case Linear linear:
                    if (linear.InFeatures != width)
                        throw new ArgumentException($"CompiledMlp: {where} takes {linear.InFeatures} features, but the layers before it give {width}.");
                    bool fuse = i + 1 < layers.Count && layers[i + 1].Layer is ReLU;
                    steps.Add(new Step(Kind.Linear, width, linear.OutFeatures, linear.Weight, linear.Bias, fuse));
                    if (fuse) i++;
                    width = linear.OutFeatures;
                    widest = Math.Max(widest, width);
                    break;
                case ReLU:
                    steps.Add(new Step(Kind.Relu, width, width));
                    break;
                case Tanh:
                    steps.Add(new Step(Kind.Tanh, width, width));
                    break;
                case Sigmoid:
                    steps.Add(new Step(Kind.Sigmoid, width, width));
                    break;
                case Softmax softmax:
                    CheckFeatureDim(softmax.Dim, where);
                    steps.Add(new Step(Kind.Softmax, width, width));
                    break;
                case LogSoftmax logSoftmax:
                    CheckFeatureDim(logSoftmax.Dim, where);
                    steps.Add(new Step(Kind.LogSoftmax, width, width));
                    break;
                case BatchNorm1d norm:
                    if (norm.RunningMean is null)
                        throw new NotSupportedException($"CompiledMlp: {where} has no running statistics, so one sample cannot be normalised.");
                    if (norm.NumFeatures != width)
                        throw new ArgumentException($"CompiledMlp: {where} has {norm.NumFeatures} features, but the layers before it give {width}.");
                    steps.Add(new Step(Kind.BatchNorm, width, width, Norm: norm));
                    break;
                case Flatten flatten when flatten.StartDim == 1 && flatten.EndDim == -1:
                case Identity:
                case Dropout:
                    break; // no-ops on one sample in evaluation mode
                default:
                    throw new NotSupportedException($"CompiledMlp cannot run {where}; use model.Eval() and model.Forward under GradMode.NoGrad() instead.");
            }
        }
        return new CompiledMlp(steps, inputSize, width, widest);
    }

    /// <summary>
    /// Like <see cref="Compile"/>, but returns false with the reason instead of throwing when the model has a
    /// layer this path cannot run, so callers can fall back to the normal eval-mode forward.
    /// </summary>
    public static bool TryCompile(Sequential model, [NotNullWhen(true)] out CompiledMlp? compiled, [NotNullWhen(false)] out string? reason)
    {
        try
        {
            compiled = Compile(model);
            reason = null;
            return true;
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException)
        {
            compiled = null;
            reason = e.Message;
            return false;
        }
    }

    private static void Collect(Module m, string prefix, List<(string, Module)> into)
    {
        foreach (var (name, child) in m.NamedChildren())
        {
            string path = prefix.Length == 0 ? name : prefix + "." + name;
            if (child is Sequential nested) Collect(nested, path, into);
            else into.Add((path, child));
        }
    }

    private static void CheckFeatureDim(int dim, string where)
    {
        if (dim is not (1 or -1)) throw new NotSupportedException($"CompiledMlp: {where} normalises over dimension {dim}; only the feature dimension (1 or -1) is supported.");
    }

    /// <summary>Runs one sample: <paramref name="input"/> holds <see cref="InputSize"/> values, <paramref name="output"/> receives <see cref="OutputSize"/>.</summary>
    public void Predict(ReadOnlySpan<float> input, Span<float> output)
    {
        if (input.Length != InputSize) throw new ArgumentException($"CompiledMlp: the input has {input.Length} values, expected {InputSize}.", nameof(input));
        if (output.Length != OutputSize) throw new ArgumentException($"CompiledMlp: the output has room for {output.Length} values, expected {OutputSize}.", nameof(output));
        ReadOnlySpan<float> current = input;
        int holder = -1; // which vector holds the current values: -1 the caller's input, 0 scratch A, 1 scratch B
        foreach (ref readonly var step in steps.AsSpan())
        {
            // Linear writes into the other scratch vector; elementwise steps run in place once off the caller's input.
            int target = step.Kind == Kind.Linear ? (holder == 0 ? 1 : 0) : Math.Max(holder, 0);
            var into = (target == 0 ? scratchA : scratchB).AsSpan(0, step.Out);
            Run(step, current, into);
            holder = target;
            current = into;
        }
        current.CopyTo(output);
    }

    /// <summary>Runs <c>inputs.Length / InputSize</c> samples one after the other (rows of a row-major batch).</summary>
    public void Predict(ReadOnlySpan<float> inputs, Span<float> outputs, int count)
    {
        if (count < 0 || inputs.Length != count * InputSize || outputs.Length != count * OutputSize)
            throw new ArgumentException($"CompiledMlp: {count} samples need {count * InputSize} input and {count * OutputSize} output values, got {inputs.Length} and {outputs.Length}.");
        for (int i = 0; i < count; i++)
            Predict(inputs.Slice(i * InputSize, InputSize), outputs.Slice(i * OutputSize, OutputSize));
    }

    /// <summary>Runs one sample into a new array (allocates the result; use the span overload in loops).</summary>
    public float[] Predict(ReadOnlySpan<float> input)
    {
        var output = new float[OutputSize];
        Predict(input, output);
        return output;
    }

    private static void Run(in Step step, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (step.Kind)
        {
            case Kind.Linear:
                Gemv.Linear(step.Weight!.ReadOnlySpan, x, step.Bias is null ? default : step.Bias.ReadOnlySpan, y, step.Relu);
                break;
            case Kind.Relu:
                TensorPrimitives.Max(x, 0f, y);
                break;
            case Kind.Tanh:
                TensorPrimitives.Tanh(x, y);
                break;
            case Kind.Sigmoid:
                TensorPrimitives.Sigmoid(x, y);
                break;
            case Kind.Softmax:
                TensorPrimitives.SoftMax(x, y);
                break;
            case Kind.LogSoftmax:
            {
                float max = TensorPrimitives.Max(x);
                TensorPrimitives.Subtract(x, max, y);
                float expSum = 0f;
                for (int i = 0; i < y.Length; i++) expSum += MathF.Exp(y[i]);
                TensorPrimitives.Subtract(y, MathF.Log(expSum), y);
                break;
            }
            case Kind.BatchNorm:
            {
                var norm = step.Norm!;
                var mean = norm.RunningMean!.ReadOnlySpan;
                var variance = norm.RunningVar!.ReadOnlySpan;
                ReadOnlySpan<float> w = norm.Weight is null ? default : norm.Weight.ReadOnlySpan;
                ReadOnlySpan<float> b = norm.Bias is null ? default : norm.Bias.ReadOnlySpan;
                float eps = (float)norm.Eps;
                for (int i = 0; i < y.Length; i++)
                {
                    float v = (x[i] - mean[i]) / MathF.Sqrt(variance[i] + eps);
                    y[i] = w.IsEmpty ? v : v * w[i] + b[i];
                }
                break;
            }
        }
    }
}

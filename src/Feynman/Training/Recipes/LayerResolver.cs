using YamlDotNet.RepresentationModel;

namespace Feynman.Training.Recipes;

/// <summary>Reads the layer list of a model and infers every layer's input and output shape.</summary>
internal static class LayerResolver
{
    private static readonly Dictionary<string, LayerKind> Names = new(StringComparer.Ordinal)
    {
        ["conv2d"] = LayerKind.Conv2d,
        ["linear"] = LayerKind.Linear,
        ["relu"] = LayerKind.ReLU,
        ["gelu"] = LayerKind.GELU,
        ["tanh"] = LayerKind.Tanh,
        ["maxpool2d"] = LayerKind.MaxPool2d,
        ["avgpool2d"] = LayerKind.AvgPool2d,
        ["flatten"] = LayerKind.Flatten,
        ["dropout"] = LayerKind.Dropout,
        ["batchnorm2d"] = LayerKind.BatchNorm2d,
        ["batchnorm1d"] = LayerKind.BatchNorm1d,
    };

    private static string Known => string.Join(", ", Names.Keys);

    public static ModelSpec Resolve(int[] input, RecipeNode list)
    {
        var layers = list.Sequence();
        if (layers.Count == 0) throw list.Error("a model needs at least one layer.");
        var result = new List<LayerSpec>(layers.Count);
        int[] shape = input;
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = Layer(i, shape, layers[i]);
            result.Add(layer);
            shape = [.. layer.OutputShape];
        }
        return new ModelSpec(input, result);
    }

    private static LayerSpec Layer(int index, int[] shape, RecipeNode c)
    {
        // A layer is either a bare name ("relu") or a one-key mapping ("linear: 10", "conv2d: {out: 32, kernel: 3}").
        string name;
        RecipeNode? args = null;
        if (c.Node is YamlScalarNode { Value: { } bare })
            name = bare;
        else if (c.Node is YamlMappingNode { Children.Count: 1 } map)
        {
            var (key, value) = map.Children.First();
            name = key is YamlScalarNode { Value: { } k } ? k : throw c.Error("a layer name must be plain text.");
            args = new RecipeNode(value, $"{c.Path}.{name}", c.File);
        }
        else throw c.Error($"a layer is a name (relu) or one name with settings (linear: 10); got {c.Describe()}. Layers: {Known}.");

        if (!Names.TryGetValue(name, out var kind)) throw c.Error($"unknown layer '{name}'; layers: {Known}.");
        var at = args ?? c;
        if (args is { IsNull: true }) args = null;
        string where = $"layer {index} ({name}, input [{string.Join(", ", shape)}])";
        var spec = new LayerSpec(index, kind, shape, shape) { Line = c.Line };

        switch (kind)
        {
            case LayerKind.ReLU or LayerKind.GELU or LayerKind.Tanh:
                NoArgs(args, name);
                return spec;

            case LayerKind.Flatten:
                NoArgs(args, name);
                return spec with { OutputShape = [shape.Aggregate(1, (a, b) => checked(a * b))] };

            case LayerKind.Dropout:
            {
                double p = 0.5;
                if (args is { } a) p = a.IsScalar ? a.Double(0, 1) : a.Mapping(["p"]).TryGetValue("p", out var pv) ? pv.Double(0, 1) : 0.5;
                if (p >= 1) throw at.Error("dropout p must be below 1 (1 would zero everything).");
                return spec with { P = p };
            }

            case LayerKind.Linear:
            {
                if (args is null) throw c.Error("linear needs its output size, e.g. 'linear: 10' or 'linear: {out: 10}'.");
                if (shape.Length != 1)
                    throw at.Error($"{where}: linear needs a flat input of features but gets [{string.Join(", ", shape)}]; add '- flatten' before it.");
                int outFeatures;
                bool bias = true;
                if (args.Value.IsScalar) outFeatures = args.Value.Int(1, 1 << 24);
                else
                {
                    var k = args.Value.Mapping(["out", "bias"]);
                    outFeatures = k.TryGetValue("out", out var o) ? o.Int(1, 1 << 24) : throw args.Value.Error("linear needs 'out', its number of output features.");
                    if (k.TryGetValue("bias", out var b)) bias = b.Bool();
                }
                return spec with { InFeatures = shape[0], OutFeatures = outFeatures, Bias = bias, OutputShape = [outFeatures] };
            }

            case LayerKind.Conv2d:
            {
                if (args is null || args.Value.IsScalar) throw at.Error("conv2d needs settings, e.g. 'conv2d: {out: 32, kernel: 3, padding: 1}'.");
                if (shape.Length != 3)
                    throw at.Error($"{where}: conv2d needs an image input [C, H, W] but gets [{string.Join(", ", shape)}].");
                var k = args.Value.Mapping(["out", "kernel", "stride", "padding", "bias"]);
                int outChannels = k.TryGetValue("out", out var o) ? o.Int(1, 1 << 20) : throw args.Value.Error("conv2d needs 'out', its number of output channels.");
                int kernel = k.TryGetValue("kernel", out var kk) ? kk.Int(1, 1024) : throw args.Value.Error("conv2d needs 'kernel', its kernel size.");
                int stride = k.TryGetValue("stride", out var s) ? s.Int(1, 1024) : 1;
                int padding = k.TryGetValue("padding", out var p) ? p.Int(0, 1024) : 0;
                bool bias = !k.TryGetValue("bias", out var b) || b.Bool();
                var (h, w) = Spatial(shape, kernel, stride, padding, where, at);
                return spec with { InFeatures = shape[0], OutFeatures = outChannels, Kernel = kernel, Stride = stride, Padding = padding, Bias = bias, OutputShape = [outChannels, h, w] };
            }

            case LayerKind.MaxPool2d or LayerKind.AvgPool2d:
            {
                if (args is null) throw c.Error($"{name} needs its kernel size, e.g. '{name}: 2' or '{name}: {{kernel: 2, stride: 2}}'.");
                if (shape.Length != 3)
                    throw at.Error($"{where}: {name} needs an image input [C, H, W] but gets [{string.Join(", ", shape)}].");
                int kernel, stride, padding = 0;
                if (args.Value.IsScalar) stride = kernel = args.Value.Int(1, 1024);
                else
                {
                    var k = args.Value.Mapping(["kernel", "stride", "padding"]);
                    kernel = k.TryGetValue("kernel", out var kk) ? kk.Int(1, 1024) : throw args.Value.Error($"{name} needs 'kernel'.");
                    stride = k.TryGetValue("stride", out var s) ? s.Int(1, 1024) : kernel;
                    padding = k.TryGetValue("padding", out var p) ? p.Int(0, 1024) : 0;
                }
                if (2 * padding > kernel) throw at.Error($"{where}: padding {padding} must be at most half the kernel size {kernel} (as in PyTorch).");
                var (h, w) = Spatial(shape, kernel, stride, padding, where, at);
                return spec with { Kernel = kernel, Stride = stride, Padding = padding, OutputShape = [shape[0], h, w] };
            }

            case LayerKind.BatchNorm2d or LayerKind.BatchNorm1d:
            {
                bool image = kind == LayerKind.BatchNorm2d;
                if (image && shape.Length != 3)
                    throw at.Error($"{where}: batchnorm2d normalises channels of an image [C, H, W] but gets [{string.Join(", ", shape)}]; use batchnorm1d after flatten or linear.");
                if (!image && shape.Length != 1)
                    throw at.Error($"{where}: batchnorm1d normalises features [F] but gets [{string.Join(", ", shape)}]; use batchnorm2d on images.");
                double eps = 1e-5, momentum = 0.1;
                if (args is { } a)
                {
                    var k = a.Mapping(["eps", "momentum"]);
                    if (k.TryGetValue("eps", out var e)) eps = e.Double(0, minExclusive: true);
                    if (k.TryGetValue("momentum", out var m)) momentum = m.Double(0, 1);
                }
                return spec with { InFeatures = shape[0], Eps = eps, Momentum = momentum };
            }
        }
        throw c.Error($"layer '{name}' is not handled.");
    }

    private static void NoArgs(RecipeNode? args, string name)
    {
        if (args is { } a) throw a.Error($"{name} takes no settings; write it as '- {name}'.");
    }

    // PyTorch's output size: floor((n + 2·padding − kernel) / stride) + 1.
    private static (int H, int W) Spatial(int[] shape, int kernel, int stride, int padding, string where, RecipeNode at)
    {
        int h = (shape[1] + 2 * padding - kernel) / stride + 1, w = (shape[2] + 2 * padding - kernel) / stride + 1;
        if (shape[1] + 2 * padding < kernel || shape[2] + 2 * padding < kernel || h <= 0 || w <= 0)
            throw at.Error($"{where}: kernel {kernel} with padding {padding} does not fit in {shape[1]}x{shape[2]}; the output would be empty.");
        return (h, w);
    }
}

using System.Collections;
using System.Globalization;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>Modules applied in order; children are named "0", "1", ... as in torch.nn.Sequential.</summary>
public sealed class Sequential : Module, IEnumerable<Module>
{
    private readonly List<Module> layers = new();

    public Sequential(params IEnumerable<Module> modules)
    {
        foreach (var m in modules) Add(m);
    }

    /// <summary>Appends a module under the next index (PyTorch's append).</summary>
    public Sequential Add(Module module)
    {
        RegisterModule(layers.Count.ToString(CultureInfo.InvariantCulture), module);
        layers.Add(module);
        return this;
    }

    public int Count => layers.Count;

    public Module this[int index] => layers[index < 0 ? index + layers.Count : index];

    public override Tensor Forward(Tensor x)
    {
        foreach (var layer in layers) x = layer.Forward(x);
        return x;
    }

    public IEnumerator<Module> GetEnumerator() => layers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

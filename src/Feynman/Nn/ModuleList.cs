using System.Collections;
using System.Globalization;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>
/// Modules held in a list and registered as "0", "1", ... (torch.nn.ModuleList): the parent decides
/// how to call them (ensemble members, attention blocks). It has no forward of its own.
/// </summary>
public sealed class ModuleList : Module, IReadOnlyList<Module>
{
    private readonly List<Module> items = new();

    public ModuleList(params IEnumerable<Module> modules)
    {
        foreach (var m in modules) Add(m);
    }

    public ModuleList Add(Module module)
    {
        RegisterModule(items.Count.ToString(CultureInfo.InvariantCulture), module);
        items.Add(module);
        return this;
    }

    public int Count => items.Count;

    public Module this[int index] => items[index < 0 ? index + items.Count : index];

    public override Tensor Forward(Tensor x) =>
        throw new NotSupportedException("a ModuleList has no forward; call its modules (use Sequential to chain them).");

    public IEnumerator<Module> GetEnumerator() => items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

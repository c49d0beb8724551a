using System.Globalization;
using System.Text;
using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>
/// Base class of every layer and model, as torch.nn.Module: named parameters, buffers and submodules
/// registered in order, a state dict whose keys match PyTorch's (<c>0.weight</c>, <c>features.3.running_mean</c>),
/// train/eval mode that reaches every child, and a repr like PyTorch's. A layer registers its tensors with
/// <see cref="RegisterParameter"/>, <see cref="RegisterBuffer"/> and <see cref="RegisterModule{T}"/> and implements <see cref="Forward"/>.
/// </summary>
public abstract class Module : IDisposable
{
    // Insertion-ordered, as PyTorch's OrderedDicts; a null value is a registered but absent tensor (bias=False).
    private readonly OrderedDictionary<string, Tensor?> parameters = new();
    private readonly OrderedDictionary<string, Tensor?> buffers = new();
    private readonly HashSet<string> nonPersistentBuffers = new();
    private readonly OrderedDictionary<string, Module> children = new();

    /// <summary>The computation; call it through <see cref="Call"/>.</summary>
    public abstract Tensor Forward(Tensor x);

    /// <summary>Runs the module (PyTorch's <c>module(x)</c>).</summary>
    public Tensor Call(Tensor x) => Forward(x);

    /// <summary>Whether the module is in training mode (dropout active, batch norm using batch statistics).</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Sets training mode on this module and every descendant (PyTorch's train()).</summary>
    public Module Train(bool mode = true)
    {
        IsTraining = mode;
        foreach (var child in children.Values) child.Train(mode);
        return this;
    }

    /// <summary>Evaluation mode on this module and every descendant (PyTorch's eval()).</summary>
    public Module Eval() => Train(false);

    // ---------------------------------------------------------------- registration

    /// <summary>
    /// Registers a parameter (or null for an absent one). The tensor is taken out of every
    /// <see cref="TensorScope"/> and set to require grad; it is returned for assignment to a field.
    /// </summary>
    protected Tensor RegisterParameter(string name, Tensor parameter)
    {
        RegisterParameterOrNull(name, parameter);
        return parameter;
    }

    /// <summary>Registers a parameter slot that may be empty (PyTorch's <c>register_parameter(name, None)</c>).</summary>
    protected Tensor? RegisterParameterOrNull(string name, Tensor? parameter)
    {
        CheckName(name, parameters);
        if (parameter is not null)
        {
            parameter.Persist();
            if (!parameter.IsLeaf) throw new ArgumentException($"parameter '{name}' must be a leaf tensor (not the result of an operation); use Detach().");
            if (!parameter.IsContiguous) throw new ArgumentException($"parameter '{name}' must be contiguous.");
            parameter.RequiresGrad = true;
        }
        parameters[name] = parameter;
        return parameter;
    }

    /// <summary>
    /// Registers a buffer: state that is saved and loaded but not trained (running means, step counts).
    /// Non-persistent buffers are left out of the state dict, as in PyTorch.
    /// </summary>
    protected Tensor? RegisterBuffer(string name, Tensor? buffer, bool persistent = true)
    {
        CheckName(name, buffers);
        buffer?.Persist();
        buffers[name] = buffer;
        if (!persistent) nonPersistentBuffers.Add(name);
        return buffer;
    }

    /// <summary>Registers a child module under <paramref name="name"/> (its parameters become <c>name.*</c>).</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckName(name, children);
        if (ReferenceEquals(module, this)) throw new ArgumentException($"module '{name}' cannot be its own child.");
        children[name] = module;
        return module;
    }

    /// <summary>Replaces the tensor in a registered parameter slot (e.g. when a layer re-creates its weight).</summary>
    protected void SetParameter(string name, Tensor? parameter)
    {
        if (!parameters.ContainsKey(name)) throw new KeyNotFoundException($"{GetType().Name} has no parameter '{name}'.");
        parameters.Remove(name);
        RegisterParameterOrNull(name, parameter);
    }

    /// <summary>Replaces the tensor in a registered buffer slot.</summary>
    protected void SetBuffer(string name, Tensor? buffer)
    {
        if (!buffers.ContainsKey(name)) throw new KeyNotFoundException($"{GetType().Name} has no buffer '{name}'.");
        buffer?.Persist();
        buffers[name] = buffer;
    }

    private void CheckName<TValue>(string name, OrderedDictionary<string, TValue> into)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException($"{GetType().Name}: a registered name cannot be empty.");
        if (name.Contains('.')) throw new ArgumentException($"{GetType().Name}: name '{name}' cannot contain '.' (dots separate module paths).");
        if (into.ContainsKey(name)) throw new ArgumentException($"{GetType().Name}: '{name}' is already registered.");
        if (parameters.ContainsKey(name) || buffers.ContainsKey(name) || children.ContainsKey(name))
            throw new ArgumentException($"{GetType().Name}: '{name}' is already registered as another kind (parameter, buffer or module).");
    }

    // ---------------------------------------------------------------- traversal

    /// <summary>Direct children, in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren()
    {
        foreach (var (name, child) in children) yield return (name, child);
    }

    public IEnumerable<Module> Children() => children.Values;

    /// <summary>This module and every descendant, depth first, with dotted paths ("" for this one).</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        return Walk(this, prefix, seen);

        static IEnumerable<(string, Module)> Walk(Module m, string prefix, HashSet<Module> seen)
        {
            if (!seen.Add(m)) yield break;
            yield return (prefix, m);
            foreach (var (name, child) in m.children)
                foreach (var item in Walk(child, Join(prefix, name), seen))
                    yield return item;
        }
    }

    public IEnumerable<Module> Modules() => NamedModules().Select(m => m.Module);

    /// <summary>The descendant at a dotted path ("features.3"), as PyTorch's get_submodule; "" is this module.</summary>
    public Module GetSubmodule(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var m = this;
        if (target.Length == 0) return m;
        foreach (var part in target.Split('.'))
        {
            if (!m.children.TryGetValue(part, out var next))
                throw new KeyNotFoundException($"{m.GetType().Name} has no submodule '{part}' (looking up '{target}'; children: {string.Join(", ", m.children.Keys)}).");
            m = next;
        }
        return m;
    }

    /// <summary>The parameter at a dotted path ("features.0.weight").</summary>
    public Tensor GetParameter(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        int dot = target.LastIndexOf('.');
        var owner = dot < 0 ? this : GetSubmodule(target[..dot]);
        var name = target[(dot + 1)..];
        return owner.parameters.TryGetValue(name, out var p) && p is not null ? p
            : throw new KeyNotFoundException($"{owner.GetType().Name} has no parameter '{name}' (looking up '{target}').");
    }

    /// <summary>Calls <paramref name="action"/> on every descendant, then on this module (PyTorch's apply, e.g. for custom initialisation).</summary>
    public Module Apply(Action<Module> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        foreach (var child in children.Values) child.Apply(action);
        action(this);
        return this;
    }

    /// <summary>Every parameter with its dotted name, own parameters first, then each child's; shared tensors once.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters(string prefix = "", bool recurse = true)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (path, m) in recurse ? NamedModules(prefix) : Self(prefix))
            foreach (var (name, p) in m.parameters)
                if (p is not null && seen.Add(p)) yield return (Join(path, name), p);
    }

    public IEnumerable<Tensor> Parameters(bool recurse = true) => NamedParameters(recurse: recurse).Select(p => p.Parameter);

    /// <summary>Every buffer with its dotted name (persistent or not).</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(string prefix = "", bool recurse = true)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (path, m) in recurse ? NamedModules(prefix) : Self(prefix))
            foreach (var (name, b) in m.buffers)
                if (b is not null && seen.Add(b)) yield return (Join(path, name), b);
    }

    public IEnumerable<Tensor> Buffers(bool recurse = true) => NamedBuffers(recurse: recurse).Select(b => b.Buffer);

    /// <summary>Number of trainable values (each shared parameter counted once).</summary>
    public long ParameterCount => Parameters().Sum(p => (long)p.Count);

    private IEnumerable<(string Name, Module Module)> Self(string prefix) => [(prefix, this)];

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    // ---------------------------------------------------------------- state dict

    /// <summary>
    /// Name → tensor for every parameter and persistent buffer, in PyTorch's order: each module's
    /// parameters, then its buffers, then its children's. The tensors are the module's own (not copies).
    /// </summary>
    public OrderedDictionary<string, Tensor> StateDict()
    {
        var result = new OrderedDictionary<string, Tensor>();
        AddState(this, "", result);
        return result;

        static void AddState(Module m, string prefix, OrderedDictionary<string, Tensor> into)
        {
            foreach (var (name, p) in m.parameters)
                if (p is not null) into[prefix + name] = p;
            foreach (var (name, b) in m.buffers)
                if (b is not null && !m.nonPersistentBuffers.Contains(name)) into[prefix + name] = b;
            foreach (var (name, child) in m.children) AddState(child, prefix + name + ".", into);
        }
    }

    /// <summary>
    /// Copies values from <paramref name="stateDict"/> into this module's parameters and buffers (in
    /// place, so optimizers keep their references). Shapes must match. With <paramref name="strict"/>
    /// the keys must match exactly; otherwise missing and unexpected keys are returned. All problems are
    /// reported together in one <see cref="StateDictMismatchException"/>, and nothing is copied if any is found.
    /// </summary>
    public LoadStateDictResult LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var own = StateDict();
        var missing = own.Keys.Where(k => !stateDict.ContainsKey(k)).ToList();
        var unexpected = stateDict.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var mismatched = new List<string>();
        foreach (var (key, target) in own)
        {
            if (stateDict.TryGetValue(key, out var source) && !TensorShape.SameShape(source.Shape, target.Shape))
                mismatched.Add($"{key}: checkpoint has shape {source.ShapeString}, the model has {target.ShapeString}");
        }
        if (mismatched.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
            throw new StateDictMismatchException(GetType().Name, strict ? missing : [], strict ? unexpected : [], mismatched);

        using (GradMode.NoGrad())
        {
            foreach (var (key, target) in own)
            {
                if (!stateDict.TryGetValue(key, out var source)) continue;
                if (source.IsContiguous) source.Span.CopyTo(target.Span);
                else source.ToArray().CopyTo(target.Span);
            }
        }
        return new LoadStateDictResult(missing, unexpected);
    }

    // ---------------------------------------------------------------- gradients

    /// <summary>Drops every parameter's gradient (PyTorch's zero_grad(set_to_none=True)); the buffers go back to the pool.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters())
        {
            var g = p.Grad;
            p.Grad = null;
            g?.Dispose();
        }
    }

    /// <summary>Turns gradient tracking on or off for every parameter (freezing layers for transfer learning).</summary>
    public Module RequireGrad(bool value = true)
    {
        foreach (var p in Parameters()) p.RequiresGrad = value;
        return this;
    }

    // ---------------------------------------------------------------- repr

    /// <summary>The text inside the parentheses of this module's line (PyTorch's extra_repr).</summary>
    protected virtual string ExtraRepr() => "";

    /// <summary>The type name shown by <see cref="ToString"/>; PyTorch's class names by default.</summary>
    protected virtual string ReprName => GetType().Name;

    /// <summary>A summary like PyTorch's repr: <c>Sequential(\n  (0): Linear(in_features=20, ...)\n)</c>.</summary>
    public override string ToString()
    {
        var extra = ExtraRepr();
        if (children.Count == 0) return $"{ReprName}({extra})";
        var sb = new StringBuilder();
        sb.Append(ReprName).Append('(');
        var lines = new List<string>();
        if (extra.Length > 0) lines.AddRange(extra.Split('\n'));
        foreach (var (name, child) in children)
            lines.Add($"({name}): {Indent(child.ToString())}");
        sb.Append('\n');
        foreach (var line in lines) sb.Append("  ").Append(line).Append('\n');
        sb.Append(')');
        return sb.ToString();

        static string Indent(string s) => s.Replace("\n", "\n  ");
    }

    /// <summary>Formats a bool as PyTorch's repr does.</summary>
    protected static string Py(bool value) => value ? "True" : "False";

    /// <summary>Formats a number as Python's repr of a float does (1e-05, 0.1, 1.0).</summary>
    protected static string Py(double value)
    {
        if (value == Math.Floor(value) && Math.Abs(value) < 1e16) return value.ToString("0.0", CultureInfo.InvariantCulture);
        var s = value.ToString("R", CultureInfo.InvariantCulture);
        // Python writes small exponents with two digits: 1e-05.
        int e = s.IndexOf('E');
        if (e < 0) return s;
        var mantissa = s[..e];
        var exponent = int.Parse(s[(e + 1)..], CultureInfo.InvariantCulture);
        return $"{mantissa}e{(exponent < 0 ? "-" : "+")}{Math.Abs(exponent):00}";
    }

    // ---------------------------------------------------------------- lifetime

    /// <summary>Disposes every parameter, buffer and gradient of this module and its descendants.</summary>
    public void Dispose()
    {
        foreach (var (_, m) in NamedModules())
        {
            foreach (var p in m.parameters.Values)
            {
                p?.Grad?.Dispose();
                p?.Dispose();
            }
            foreach (var b in m.buffers.Values) b?.Dispose();
        }
        GC.SuppressFinalize(this);
    }
}

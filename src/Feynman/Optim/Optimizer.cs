using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Optim;

/// <summary>
/// Base of the optimizers, as torch.optim.Optimizer: parameter groups, <see cref="Step"/> over every
/// parameter that has a gradient, <see cref="ZeroGrad"/>, and state export/import for checkpoints.
/// Subclasses implement <see cref="Update"/> as one fused SIMD pass per tensor and keep per-parameter
/// state in arrays indexed by the parameter's position, allocated on first use and reused afterwards.
/// </summary>
public abstract class Optimizer
{
    private readonly ParamGroup[] groups;
    private readonly Tensor[] parameters;

    protected Optimizer(IEnumerable<ParamGroup> paramGroups, double defaultLearningRate, double defaultWeightDecay)
    {
        ArgumentNullException.ThrowIfNull(paramGroups);
        groups = paramGroups.ToArray();
        if (groups.Length == 0) throw new ArgumentException($"{Kind} got an empty parameter list.");
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var all = new List<Tensor>();
        foreach (var g in groups)
        {
            if (double.IsNaN(g.LearningRate)) g.LearningRate = defaultLearningRate;
            if (double.IsNaN(g.WeightDecay)) g.WeightDecay = defaultWeightDecay;
            if (g.LearningRate < 0) throw new ArgumentOutOfRangeException(nameof(paramGroups), $"invalid learning rate {g.LearningRate}.");
            if (g.WeightDecay < 0) throw new ArgumentOutOfRangeException(nameof(paramGroups), $"invalid weight decay {g.WeightDecay}.");
            foreach (var p in g.Parameters)
            {
                if (!p.IsLeaf) throw new ArgumentException($"{Kind} can only optimize leaf tensors; {p.ShapeString} is the result of '{p.GradFn!.Name}'.");
                if (!p.IsContiguous) throw new ArgumentException($"{Kind} needs contiguous parameters; {p.ShapeString} is a strided view.");
                if (!seen.Add(p)) throw new ArgumentException($"a parameter {p.ShapeString} appears more than once (in one group or in two).");
                all.Add(p);
            }
        }
        if (all.Count == 0) throw new ArgumentException($"{Kind} got an empty parameter list.");
        parameters = all.ToArray();
    }

    protected static IEnumerable<ParamGroup> OneGroup(IEnumerable<Tensor> parameters) => [new ParamGroup(parameters)];

    /// <summary>The type name used in state dicts.</summary>
    public virtual string Kind => GetType().Name;

    public IReadOnlyList<ParamGroup> ParamGroups => groups;

    /// <summary>Every parameter, group by group; a parameter's index here keys its state.</summary>
    public IReadOnlyList<Tensor> Parameters => parameters;

    /// <summary>The first group's learning rate; setting it sets every group's.</summary>
    public double LearningRate
    {
        get => groups[0].LearningRate;
        set
        {
            if (value < 0 || double.IsNaN(value)) throw new ArgumentOutOfRangeException(nameof(value), $"invalid learning rate {value}.");
            foreach (var g in groups) g.LearningRate = value;
        }
    }

    /// <summary>Updates every parameter that has a gradient (parameters without one are skipped, as in PyTorch).</summary>
    public void Step()
    {
        using var _ = GradMode.NoGrad();
        int index = 0;
        foreach (var g in groups)
        {
            // Indexing, not foreach: an interface enumerator would allocate on every step.
            var list = g.Parameters;
            for (int j = 0; j < list.Count; j++)
            {
                var p = list[j];
                if (p.Grad is { } grad)
                {
                    if (!TensorShape.SameShape(grad.Shape, p.Shape))
                        throw new InvalidOperationException($"gradient {grad.ShapeString} does not match parameter {p.ShapeString}.");
                    Update(index, p.Span, grad.IsContiguous ? grad.ReadOnlySpan : grad.ToArray(), g);
                }
                index++;
            }
        }
    }

    /// <summary>Applies one update to parameter number <paramref name="index"/> in place.</summary>
    protected abstract void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient, ParamGroup group);

    /// <summary>Drops every parameter's gradient (set_to_none=True); the buffers go back to the pool and the next backward rents fresh ones.</summary>
    public void ZeroGrad()
    {
        foreach (var p in parameters)
        {
            var g = p.Grad;
            p.Grad = null;
            g?.Dispose();
        }
    }

    /// <summary>A persistent zero tensor shaped like parameter <paramref name="index"/>, for state buffers.</summary>
    protected Tensor NewStateBuffer(int index) => TensorScope.Outside(() => Tensor.Zeros(parameters[index].Shape));

    // ---------------------------------------------------------------- state

    /// <summary>The state for a checkpoint (tensors are live references; save before the next step).</summary>
    public OptimizerState StateDict()
    {
        var state = new OptimizerState(Kind);
        foreach (var (k, v) in GetHyperparameters()) state.Hyperparameters[k] = v;
        foreach (var g in groups)
        {
            var d = new Dictionary<string, double> { ["lr"] = g.LearningRate, ["weight_decay"] = g.WeightDecay };
            if (!double.IsNaN(g.InitialLearningRate)) d["initial_lr"] = g.InitialLearningRate;
            state.Groups.Add(d);
        }
        for (int i = 0; i < parameters.Length; i++)
        {
            var tensors = new Dictionary<string, Tensor>();
            var scalars = new Dictionary<string, double>();
            ExportState(i, tensors, scalars);
            if (tensors.Count > 0) state.Tensors[i] = tensors;
            if (scalars.Count > 0) state.Scalars[i] = scalars;
        }
        return state;
    }

    /// <summary>Restores a state from <see cref="StateDict"/> (tensor values are copied). Checks type, group count and shapes first.</summary>
    public void LoadStateDict(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Kind != Kind) throw new ArgumentException($"optimizer state is for {state.Kind}, this optimizer is {Kind}.");
        if (state.Groups.Count != groups.Length)
            throw new ArgumentException($"optimizer state has {state.Groups.Count} parameter groups, this optimizer has {groups.Length}.");
        foreach (var (i, tensors) in state.Tensors)
        {
            if (i < 0 || i >= parameters.Length) throw new ArgumentException($"optimizer state names parameter {i}, this optimizer has {parameters.Length}.");
            foreach (var (name, t) in tensors)
                if (!TensorShape.SameShape(t.Shape, parameters[i].Shape))
                    throw new ArgumentException($"optimizer state '{name}' of parameter {i} has shape {t.ShapeString}, the parameter has {parameters[i].ShapeString}.");
        }
        foreach (var i in state.Scalars.Keys)
            if (i < 0 || i >= parameters.Length) throw new ArgumentException($"optimizer state names parameter {i}, this optimizer has {parameters.Length}.");

        SetHyperparameters(state.Hyperparameters);
        for (int g = 0; g < groups.Length; g++)
        {
            var d = state.Groups[g];
            if (d.TryGetValue("lr", out var lr)) groups[g].LearningRate = lr;
            if (d.TryGetValue("weight_decay", out var wd)) groups[g].WeightDecay = wd;
            // A state saved before any schedule attached keeps the schedule attached here working.
            if (d.TryGetValue("initial_lr", out var ilr)) groups[g].InitialLearningRate = ilr;
        }
        for (int i = 0; i < parameters.Length; i++)
        {
            ImportState(i,
                state.Tensors.TryGetValue(i, out var t) ? t : new Dictionary<string, Tensor>(),
                state.Scalars.TryGetValue(i, out var s) ? s : new Dictionary<string, double>());
        }
    }

    /// <summary>Optimizer-wide hyperparameters for the state dict.</summary>
    protected abstract IEnumerable<KeyValuePair<string, double>> GetHyperparameters();

    /// <summary>Restores hyperparameters present in a saved state.</summary>
    protected abstract void SetHyperparameters(IReadOnlyDictionary<string, double> values);

    /// <summary>Adds parameter <paramref name="index"/>'s buffers and counters (none before its first step).</summary>
    protected abstract void ExportState(int index, Dictionary<string, Tensor> tensors, Dictionary<string, double> scalars);

    /// <summary>Replaces parameter <paramref name="index"/>'s state with copies of the given values (empty: no state yet).</summary>
    protected abstract void ImportState(int index, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, double> scalars);

    /// <summary>A persistent copy of <paramref name="source"/> for restored state.</summary>
    protected static Tensor CopyState(Tensor source) => TensorScope.Outside(() => Tensor.From(source.IsContiguous ? source.ReadOnlySpan : source.ToArray(), source.Shape));

    protected static double Get(IReadOnlyDictionary<string, double> values, string key, double current) =>
        values.TryGetValue(key, out var v) ? v : current;
}

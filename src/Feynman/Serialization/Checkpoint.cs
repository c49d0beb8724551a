using System.Globalization;
using Feynman.Nn;
using Feynman.Optim;
using Feynman.Tensors;

namespace Feynman.Serialization;

/// <summary>
/// A resumable training checkpoint in one safetensors file: the model's state dict under <c>model.</c>,
/// the optimizer's buffers under <c>optimizer.state.&lt;parameter name&gt;.&lt;buffer&gt;</c>, and in
/// <c>__metadata__</c> the optimizer's scalars (kind, hyperparameters, learning rates, step counts),
/// the generator's state, the schedule's step and the caller's own entries (epoch, step, ...).
/// Loading restores all of it, so a resumed run continues bit for bit.
/// </summary>
public static class Checkpoint
{
    public const string FormatValue = "feynman.checkpoint/1";
    private const string FormatKey = "format";
    private const string ModelPrefix = "model.";
    private const string OptimizerPrefix = "optimizer.";
    private const string StatePrefix = "optimizer.state.";
    private const string RngKey = "rng.state";
    private const string SchedulerKey = "scheduler.last_epoch";
    private static readonly string[] Reserved = [FormatKey, ModelPrefix, OptimizerPrefix, "rng.", "scheduler."];

    /// <summary>Saves model, optimizer state, generator state, schedule step and <paramref name="metadata"/> to <paramref name="path"/> (atomically).</summary>
    public static void Save(string path, Module model, Optimizer? optimizer = null, Generator? rng = null,
                            IReadOnlyDictionary<string, string>? metadata = null, LrScheduler? scheduler = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var tensors = new Dictionary<string, Tensor>();
        var meta = new Dictionary<string, string> { [FormatKey] = FormatValue };
        if (metadata is not null)
        {
            foreach (var (k, v) in metadata)
            {
                if (IsReserved(k)) throw new ArgumentException($"metadata key '{k}' is reserved for the checkpoint itself (keys starting with {string.Join(", ", Reserved)}).");
                meta[k] = v;
            }
        }
        foreach (var (name, t) in model.StateDict()) tensors[ModelPrefix + name] = t;

        if (optimizer is not null)
        {
            var names = ParameterNames(model, optimizer);
            var state = optimizer.StateDict();
            meta["optimizer.kind"] = state.Kind;
            meta["optimizer.parameters"] = string.Join(",", names);
            foreach (var (k, v) in state.Hyperparameters) meta[$"optimizer.hyper.{k}"] = Format(v);
            for (int g = 0; g < state.Groups.Count; g++)
                foreach (var (k, v) in state.Groups[g]) meta[$"optimizer.param_groups.{g}.{k}"] = Format(v);
            foreach (var (i, buffers) in state.Tensors)
                foreach (var (k, t) in buffers) tensors[$"{StatePrefix}{names[i]}.{k}"] = t;
            foreach (var (i, scalars) in state.Scalars)
                foreach (var (k, v) in scalars) meta[$"{StatePrefix}{names[i]}.{k}"] = Format(v);
        }
        if (rng is not null)
        {
            var s = rng.GetState();
            meta[RngKey] = string.Join(" ", s.S0.ToString("x16"), s.S1.ToString("x16"), s.S2.ToString("x16"), s.S3.ToString("x16"),
                                       s.HasSpare ? "1" : "0", BitConverter.SingleToInt32Bits(s.Spare).ToString("x8"));
        }
        if (scheduler is not null) meta[SchedulerKey] = scheduler.LastEpoch.ToString(CultureInfo.InvariantCulture);
        Safetensors.Save(path, tensors, meta);
    }

    /// <summary>
    /// Restores what <see cref="Save"/> wrote into the given objects (each optional but the model) and
    /// returns the caller's metadata. Asking for a part the file lacks is an error.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Load(string path, Module model, Optimizer? optimizer = null, Generator? rng = null,
                                                           LrScheduler? scheduler = null, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = TensorScope.Begin();
        var file = Safetensors.Read(path);
        var meta = file.Metadata;
        if (!meta.TryGetValue(FormatKey, out var format) || format != FormatValue)
            throw new InvalidDataException($"{path}: not a Feynman checkpoint (metadata '{FormatKey}' is {(format is null ? "missing" : $"'{format}'")}, expected '{FormatValue}').");

        var modelState = new Dictionary<string, Tensor>();
        foreach (var (k, t) in file.Tensors)
            if (k.StartsWith(ModelPrefix, StringComparison.Ordinal)) modelState[k[ModelPrefix.Length..]] = t;
        try
        {
            model.LoadStateDict(modelState, strict);
        }
        catch (StateDictMismatchException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }

        if (optimizer is not null) LoadOptimizer(path, file, model, optimizer);
        if (rng is not null)
        {
            if (!meta.TryGetValue(RngKey, out var rs)) throw new InvalidDataException($"{path}: the checkpoint has no generator state.");
            rng.SetState(ParseRng(path, rs));
        }
        if (scheduler is not null)
        {
            if (!meta.TryGetValue(SchedulerKey, out var e) || !int.TryParse(e, NumberStyles.Integer, CultureInfo.InvariantCulture, out int epoch))
                throw new InvalidDataException($"{path}: the checkpoint has no schedule step.");
            // The optimizer's learning rates were restored above; re-applying the schedule agrees with them.
            scheduler.LastEpoch = epoch;
        }
        return meta.Where(m => !IsReserved(m.Key)).ToDictionary(m => m.Key, m => m.Value);
    }

    private static void LoadOptimizer(string path, SafetensorsFile file, Module model, Optimizer optimizer)
    {
        var meta = file.Metadata;
        if (!meta.TryGetValue("optimizer.kind", out var kind)) throw new InvalidDataException($"{path}: the checkpoint has no optimizer state.");
        var names = ParameterNames(model, optimizer);
        var index = new Dictionary<string, int>();
        for (int i = 0; i < names.Length; i++) index[names[i]] = i;
        if (meta.TryGetValue("optimizer.parameters", out var saved) && saved != string.Join(",", names))
            throw new InvalidDataException($"{path}: the optimizer was saved over parameters [{saved}], this one has [{string.Join(",", names)}].");

        var state = new OptimizerState(kind);
        foreach (var (k, v) in meta)
        {
            if (k.StartsWith("optimizer.hyper.", StringComparison.Ordinal)) state.Hyperparameters[k["optimizer.hyper.".Length..]] = Parse(path, k, v);
            else if (k.StartsWith("optimizer.param_groups.", StringComparison.Ordinal))
            {
                var rest = k["optimizer.param_groups.".Length..];
                int dot = rest.IndexOf('.');
                if (dot < 0 || !int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out int g) || g > 10_000)
                    throw new InvalidDataException($"{path}: malformed metadata key '{k}'.");
                while (state.Groups.Count <= g) state.Groups.Add(new Dictionary<string, double>());
                state.Groups[g][rest[(dot + 1)..]] = Parse(path, k, v);
            }
            else if (k.StartsWith(StatePrefix, StringComparison.Ordinal))
            {
                var (i, buffer) = SplitStateKey(path, k, index);
                if (!state.Scalars.TryGetValue(i, out var scalars)) state.Scalars[i] = scalars = new Dictionary<string, double>();
                scalars[buffer] = Parse(path, k, v);
            }
        }
        foreach (var (k, t) in file.Tensors)
        {
            if (!k.StartsWith(StatePrefix, StringComparison.Ordinal)) continue;
            var (i, buffer) = SplitStateKey(path, k, index);
            if (!state.Tensors.TryGetValue(i, out var tensors)) state.Tensors[i] = tensors = new Dictionary<string, Tensor>();
            tensors[buffer] = t;
        }
        try
        {
            optimizer.LoadStateDict(state);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>Splits "optimizer.state.&lt;param name&gt;.&lt;buffer&gt;" (the buffer name has no dot).</summary>
    private static (int Index, string Buffer) SplitStateKey(string path, string key, Dictionary<string, int> index)
    {
        var rest = key[StatePrefix.Length..];
        int dot = rest.LastIndexOf('.');
        if (dot <= 0 || !index.TryGetValue(rest[..dot], out int i))
            throw new InvalidDataException($"{path}: optimizer state '{key}' names no parameter of this model.");
        return (i, rest[(dot + 1)..]);
    }

    /// <summary>The model's name of each optimizer parameter, in the optimizer's order.</summary>
    private static string[] ParameterNames(Module model, Optimizer optimizer)
    {
        var byTensor = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, p) in model.NamedParameters()) byTensor.TryAdd(p, name);
        return optimizer.Parameters.Select(p => byTensor.TryGetValue(p, out var n) ? n
            : throw new ArgumentException($"the optimizer holds a parameter {p.ShapeString} that is not in the model; a checkpoint names optimizer state by the model's parameter names.")).ToArray();
    }

    private static GeneratorState ParseRng(string path, string value)
    {
        var parts = value.Split(' ');
        try
        {
            if (parts.Length != 6) throw new FormatException();
            return new GeneratorState(
                ulong.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(parts[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(parts[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                parts[4] == "1",
                BitConverter.Int32BitsToSingle(int.Parse(parts[5], NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            throw new InvalidDataException($"{path}: malformed generator state '{value}'.", ex);
        }
    }

    private static bool IsReserved(string key) =>
        key == FormatKey || Reserved.Skip(1).Any(prefix => key.StartsWith(prefix, StringComparison.Ordinal));

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static double Parse(string path, string key, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
            : throw new InvalidDataException($"{path}: metadata '{key}' is '{value}', not a number.");
}

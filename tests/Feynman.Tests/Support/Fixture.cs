using System.Text.Json;
using Feynman.Tensors;

namespace Feynman.Tests.Support;

/// <summary>
/// A fixture file written by a reference/ script from PyTorch: JSON of the form
/// <c>{"cases": [{"name": ..., "params": {...}, "tensors": {"x": {"shape": [...], "data": [...]}, ...}}]}</c>.
/// By convention tensor names are inputs ("x", "weight"), outputs ("out") and gradients ("grad.x").
/// </summary>
public sealed class Fixture
{
    private Fixture(List<FixtureCase> cases) => Cases = cases;

    public IReadOnlyList<FixtureCase> Cases { get; }

    public FixtureCase this[string name] => Cases.FirstOrDefault(c => c.Name == name) ?? throw new KeyNotFoundException($"fixture case '{name}' not found.");

    /// <summary>Loads fixtures/&lt;relativePath&gt; from the test output folder (copied from reference/fixtures).</summary>
    public static Fixture Load(string relativePath)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "fixtures", relativePath);
        if (!File.Exists(path)) throw new FileNotFoundException($"fixture {path} is missing; run the reference/ script that makes it.", path);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var cases = new List<FixtureCase>();
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var tensors = new Dictionary<string, (int[] Shape, float[] Data)>();
            if (c.TryGetProperty("tensors", out var ts))
                foreach (var t in ts.EnumerateObject())
                    tensors[t.Name] = (t.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                                       t.Value.GetProperty("data").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray());
            var parameters = c.TryGetProperty("params", out var ps) ? ps.Clone() : default;
            cases.Add(new FixtureCase(c.GetProperty("name").GetString()!, tensors, parameters));
        }
        return new Fixture(cases);
    }
}

/// <summary>One case of a <see cref="Fixture"/>.</summary>
public sealed class FixtureCase(string name, Dictionary<string, (int[] Shape, float[] Data)> tensors, JsonElement parameters)
{
    public string Name { get; } = name;

    /// <summary>Scalar and list parameters of the case (kernel size, dims, temperature, ...).</summary>
    public JsonElement Params { get; } = parameters;

    public bool Has(string tensor) => tensors.ContainsKey(tensor);

    /// <summary>A fresh tensor holding the named values.</summary>
    public Tensor Tensor(string name, bool requiresGrad = false)
    {
        if (!tensors.TryGetValue(name, out var t)) throw new KeyNotFoundException($"fixture case '{Name}' has no tensor '{name}'.");
        var result = Feynman.Tensors.Tensor.From(t.Data, t.Shape);
        return requiresGrad ? result.RequireGrad() : result;
    }

    public int[] Shape(string name) => tensors[name].Shape;

    public float[] Data(string name) => tensors[name].Data;

    public int Int(string param) => Params.GetProperty(param).GetInt32();

    public float Float(string param) => (float)Params.GetProperty(param).GetDouble();

    public int[] Ints(string param) => Params.GetProperty(param).EnumerateArray().Select(e => e.GetInt32()).ToArray();
}

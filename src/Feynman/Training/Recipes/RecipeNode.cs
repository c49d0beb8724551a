using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Feynman.Training.Recipes;

/// <summary>
/// A YAML node of a recipe with its path in the document ("teacher.model.layers[3]") and its file, so
/// every reading error says where it is and what was expected. Sections registered by later paradigms
/// (<see cref="RecipeParser.RegisterSection"/>) read their values through it.
/// </summary>
public readonly record struct RecipeNode(YamlNode Node, string Path, string? File)
{
    public int Line => (int)Node.Start.Line;

    public RecipeException Error(string reason) => new($"{Path}: {reason}", File, (int)Node.Start.Line, (int)Node.Start.Column);

    public bool IsScalar => Node is YamlScalarNode;

    public bool IsNull => Node is YamlScalarNode s && s.Style == YamlDotNet.Core.ScalarStyle.Plain && s.Value is null or "" or "~" or "null";

    public string Describe() => Node switch
    {
        YamlScalarNode s => $"'{s.Value}'",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => "something else",
    };

    /// <summary>The keys of a mapping, rejecting any not in <paramref name="allowed"/> and duplicates.</summary>
    public Dictionary<string, RecipeNode> Mapping(IReadOnlyCollection<string> allowed)
    {
        if (Node is not YamlMappingNode map) throw Error($"expected a mapping with keys {string.Join(", ", allowed)}, got {Describe()}.");
        var result = new Dictionary<string, RecipeNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            var key = new RecipeNode(keyNode, Path, File);
            string name = keyNode is YamlScalarNode ks && ks.Value is { } v ? v : throw key.Error("a key must be a plain name.");
            if (!allowed.Contains(name))
                throw new RecipeException($"{Path}: unknown key '{name}'; allowed keys: {string.Join(", ", allowed)}.", File, (int)keyNode.Start.Line, (int)keyNode.Start.Column);
            if (result.ContainsKey(name))
                throw new RecipeException($"{Path}: key '{name}' appears twice.", File, (int)keyNode.Start.Line, (int)keyNode.Start.Column);
            result[name] = new RecipeNode(value, Path.Length == 0 ? name : $"{Path}.{name}", File);
        }
        return result;
    }

    public IReadOnlyList<RecipeNode> Sequence()
    {
        if (Node is not YamlSequenceNode seq) throw Error($"expected a list, got {Describe()}.");
        var path = Path;
        var file = File;
        return [.. seq.Children.Select((n, i) => new RecipeNode(n, $"{path}[{i}]", file))];
    }

    public string String()
    {
        if (Node is YamlScalarNode { Value: { Length: > 0 } v }) return v;
        throw Error($"expected a text value, got {Describe()}.");
    }

    public int Int(int min = int.MinValue, int max = int.MaxValue)
    {
        if (Node is YamlScalarNode { Value: { } v } && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int x))
            return x >= min && x <= max ? x : throw Error($"{x} is out of range; expected {Range(min, max)}.");
        throw Error($"expected a whole number{(min > int.MinValue || max < int.MaxValue ? $" ({Range(min, max)})" : "")}, got {Describe()}.");
    }

    public ulong UInt64()
    {
        if (Node is YamlScalarNode { Value: { } v } && ulong.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong x)) return x;
        throw Error($"expected a non-negative whole number, got {Describe()}.");
    }

    public double Double(double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool minExclusive = false)
    {
        if (Node is YamlScalarNode { Value: { } v } && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && double.IsFinite(x))
        {
            bool ok = (minExclusive ? x > min : x >= min) && x <= max;
            return ok ? x : throw Error($"{x.ToString(CultureInfo.InvariantCulture)} is out of range; expected {(minExclusive ? "> " : ">= ")}{min.ToString(CultureInfo.InvariantCulture)}{(double.IsPositiveInfinity(max) ? "" : $" and <= {max.ToString(CultureInfo.InvariantCulture)}")}.");
        }
        throw Error($"expected a number, got {Describe()}.");
    }

    public bool Bool() => Node is YamlScalarNode { Value: { } v }
        ? v switch { "true" or "True" or "yes" => true, "false" or "False" or "no" => false, _ => throw Error($"expected true or false, got '{v}'.") }
        : throw Error($"expected true or false, got {Describe()}.");

    /// <summary>One of <paramref name="choices"/>.</summary>
    public string Choice(params string[] choices)
    {
        string v = Node is YamlScalarNode { Value: { } s } ? s : throw Error($"expected one of {string.Join(", ", choices)}, got {Describe()}.");
        return choices.Contains(v) ? v : throw Error($"'{v}' is not one of {string.Join(", ", choices)}.");
    }

    private static string Range(int min, int max) =>
        max == int.MaxValue ? $">= {min}" : min == int.MinValue ? $"<= {max}" : $"{min}..{max}";
}

using System.Text.Json.Nodes;

namespace Feynman.Synthesis.Statistics;

/// <summary>
/// Counts, rejection reasons, instruction length histogram and diversity of a set of generated records, after the
/// Self-Instruct paper's analysis (its figure 2: the most common root verbs and their direct objects). The paper
/// parsed with the Berkeley Neural Parser; here the verb is the first word and the object the first word after it
/// that is not a determiner, pronoun or preposition, which is what an imperative instruction usually looks like.
/// </summary>
public sealed class InstructionStatistics
{
    private static readonly HashSet<string> Skip = new(StringComparer.OrdinalIgnoreCase)
    {
        "a", "an", "the", "some", "any", "me", "us", "him", "her", "them", "you", "your", "my", "our", "their", "its", "this", "that",
        "these", "those", "up", "out", "down", "of", "to", "for", "with", "about", "in", "on", "at", "by", "from", "and", "or", "all", "each",
        "every", "two", "three", "few", "several", "one", "how", "what", "which", "who", "whether", "if", "it", "is", "are",
    };

    public int Total { get; private set; }
    public int Kept { get; private set; }
    public int Unique { get; private set; }
    public Dictionary<string, int> Reasons { get; } = new();
    public SortedDictionary<int, int> LengthHistogram { get; } = new();   // bucket start (words) -> count of kept
    public Dictionary<string, Dictionary<string, int>> VerbObjects { get; } = new();
    public int BucketWidth { get; }

    public InstructionStatistics(IEnumerable<JsonObject> records, int bucketWidth = 5)
    {
        BucketWidth = bucketWidth;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in records)
        {
            if (r["instruction"] is not JsonValue v || !v.TryGetValue(out string? inst)) continue;
            string type = r["type"]?.GetValue<string>() ?? "";
            if (type is "task") continue; // tasks repeat their instruction; counted once as instructions
            Total++;
            bool kept = r["kept"]?.GetValue<bool>() ?? true;
            if (!kept)
            {
                string reason = r["reason"]?.GetValue<string>() ?? "unknown";
                Reasons[reason] = Reasons.GetValueOrDefault(reason) + 1;
                continue;
            }
            Kept++;
            if (seen.Add(inst)) Unique++;
            var words = inst.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            int bucket = (Math.Max(1, words.Length) - 1) / bucketWidth * bucketWidth + 1;
            LengthHistogram[bucket] = LengthHistogram.GetValueOrDefault(bucket) + 1;
            var (verb, obj) = VerbObject(words);
            if (verb == null) continue;
            if (!VerbObjects.TryGetValue(verb, out var objs)) VerbObjects[verb] = objs = new();
            objs[obj ?? "-"] = objs.GetValueOrDefault(obj ?? "-") + 1;
        }
    }

    /// <summary>The first word (lower case) and the first content word after it.</summary>
    public static (string? Verb, string? Object) VerbObject(IReadOnlyList<string> words)
    {
        static string Clean(string w) => new string(w.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();
        if (words.Count == 0) return (null, null);
        string verb = Clean(words[0]);
        if (verb.Length == 0) return (null, null);
        for (int i = 1; i < words.Count; i++)
        {
            string w = Clean(words[i]);
            if (w.Length > 0 && !Skip.Contains(w)) return (verb, w);
        }
        return (verb, null);
    }

    public IEnumerable<(string Verb, int Count, IEnumerable<(string Object, int Count)> Objects)> TopVerbs(int verbs = 20, int objects = 4) =>
        VerbObjects.Select(kv => (kv.Key, kv.Value.Values.Sum(), kv.Value.OrderByDescending(o => o.Value).ThenBy(o => o.Key, StringComparer.Ordinal).Take(objects).Select(o => (o.Key, o.Value))))
            .OrderByDescending(x => x.Item2).ThenBy(x => x.Key, StringComparer.Ordinal).Take(verbs);
}

namespace Feynman.Bench.Synth;

/// <summary>
/// A deterministic stand-in for 50K machine-written instructions: a verb, Zipf-distributed content words, common
/// function words, 4 to 40 words, and a share of near-duplicates (a few words edited) as teachers produce them.
/// </summary>
public static class InstructionCorpus
{
    private static readonly string[] Verbs =
    [
        "Write", "Generate", "Explain", "Describe", "List", "Give", "Create", "Find", "Classify", "Summarize", "Translate",
        "Identify", "Rewrite", "Suggest", "Compare", "Provide", "Make", "Tell", "Design", "Convert", "Edit", "Answer",
        "Determine", "Come up with", "Calculate", "Name", "Outline", "Predict", "Evaluate", "Analyze",
    ];
    private static readonly string[] Function = ["the", "a", "of", "to", "and", "in", "for", "that", "with", "about", "on", "is", "an", "your", "this"];

    public static List<string> Make(int n, int seed)
    {
        var rng = new Random(seed);
        var content = Enumerable.Range(0, 6000).Select(i => Word(rng, i)).ToArray();
        var list = new List<string>(n);
        for (int i = 0; i < n; i++)
        {
            if (list.Count > 10 && rng.NextDouble() < 0.15)
            {
                var words = list[rng.Next(list.Count)].TrimEnd('.').Split(' ').ToList();
                int edits = rng.Next(1, 5);
                for (int e = 0; e < edits && words.Count > 2; e++)
                {
                    int at = rng.Next(1, words.Count);
                    switch (rng.Next(3))
                    {
                        case 0: words.RemoveAt(at); break;
                        case 1: words.Insert(at, Pick(rng, content)); break;
                        default: words[at] = Pick(rng, content); break;
                    }
                }
                list.Add(string.Join(' ', words) + ".");
                continue;
            }
            int len = 4 + (int)(36 * Math.Pow(rng.NextDouble(), 2.2));
            var parts = new List<string> { Verbs[rng.Next(Verbs.Length)] };
            while (parts.Count < len)
                parts.Add(rng.NextDouble() < 0.4 ? Function[rng.Next(Function.Length)] : Pick(rng, content));
            list.Add(string.Join(' ', parts) + (rng.NextDouble() < 0.3 ? "?" : "."));
        }
        return list;
    }

    private static string Pick(Random rng, string[] content) => content[(int)(content.Length * Math.Pow(rng.NextDouble(), 3))];

    private static string Word(Random rng, int i)
    {
        const string letters = "etaoinshrdlucmfwypvbgkq";
        int len = 3 + rng.Next(7);
        var chars = new char[len];
        for (int k = 0; k < len; k++) chars[k] = letters[(int)(letters.Length * Math.Pow(rng.NextDouble(), 1.5))];
        return new string(chars) + (i % 7 == 0 ? "s" : "");
    }
}

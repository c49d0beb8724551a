using System.Security.Cryptography;
using System.Text;

namespace Feynman.Tests.Synthesis.Support;

/// <summary>
/// Deterministic answers to the Self-Instruct and Alpaca prompts, computed from the prompt text alone (so a resumed
/// run gets the same answers): fresh instructions built from the prompt's hash, plus ones each filter rule rejects.
/// </summary>
public static class FakeTeacher
{
    private static readonly string[] Verbs = ["Describe", "Explain", "List", "Compare", "Summarize", "Classify", "Suggest", "Rewrite"];
    private static readonly string[] Nouns = ["river", "castle", "violin", "tax", "orbit", "garden", "protein", "poem", "budget", "bridge", "cloud", "engine",
        "market", "lantern", "fossil", "glacier", "harbor", "meadow", "canyon", "pepper"];

    public static int Hash(string s) => BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(s)), 0) & int.MaxValue;

    private static string Fresh(Random rng) =>
        $"{Verbs[rng.Next(Verbs.Length)]} the {Nouns[rng.Next(Nouns.Length)]} and the {Nouns[rng.Next(Nouns.Length)]} for a {Nouns[rng.Next(Nouns.Length)]} {rng.Next(100000)} lover";

    public static FakeReply Answer(FakeRequest r)
    {
        string p = r.Prompt;
        var rng = new Random(Hash(p));
        if (p.Contains("Is it classification?"))
        {
            var task = p[(p.LastIndexOf("Task:", StringComparison.Ordinal) + 5)..];
            return new FakeReply(task.Contains("Classify") ? " Yes" : " No");
        }
        if (p.StartsWith("Come up with examples", StringComparison.Ordinal))
        {
            int n = 1 + rng.Next(3);
            var sb = new StringBuilder();
            for (int i = 1; i <= n; i++) sb.Append($"Example {i}\nInput: case {rng.Next(1000)}\nOutput: answer {rng.Next(1000)}\n");
            return new FakeReply(sb.ToString());
        }
        if (p.StartsWith("Given the classification task", StringComparison.Ordinal))
            return new FakeReply("Class label: Yes\nSentence: it rains\nClass label: No\nSentence: it is dry");
        if (p.StartsWith("Come up with a series of", StringComparison.Ordinal))
        {
            // The prompt ends with "9."; answer items 9..15, a few of them made to fail a rule.
            var items = new List<string> { " " + Fresh(rng) };
            items.Add(Fresh(rng));
            items.Add("Draw a map of the " + Nouns[rng.Next(Nouns.Length)] + " near you");   // blacklist
            items.Add(Fresh(rng));
            items.Add("Hi there friend");                                                      // too short
            items.Add(Fresh(rng));
            // A near copy of an in-context instruction: rejected by ROUGE-L.
            var shown = p.Split('\n').Where(l => l.Length > 3 && char.IsDigit(l[0])).Select(l => l[(l.IndexOf(". ", StringComparison.Ordinal) + 2)..]).ToList();
            if (shown.Count > 0) items.Add(shown[rng.Next(shown.Count)]);
            var text = string.Join("", items.Select((x, i) => i == 0 ? x : $"\n{9 + i}. {x}"));
            return new FakeReply(text, p.Contains("lantern") && rng.Next(4) == 0 ? "length" : "stop");
        }
        if (p.Contains("List of 20 tasks:"))
        {
            var sb = new StringBuilder();
            // The prompt ends with "4. Instruction:"; items 4..(4+k).
            int k = 5;
            for (int i = 0; i < k; i++)
            {
                int idx = 4 + i;
                if (i > 0) sb.Append($"\n###\n{idx}. Instruction: ");
                else sb.Append(' ');
                string inst = i == 2 ? "Create a flowchart of the " + Nouns[rng.Next(Nouns.Length)] : Fresh(rng);
                sb.Append(inst).Append($"\n{idx}. Input:\n").Append(i % 2 == 0 ? "<noinput>" : "some input " + rng.Next(100)).Append($"\n{idx}. Output:\nanswer {rng.Next(1000)}");
            }
            return new FakeReply(sb.ToString(), rng.Next(3) == 0 ? "length" : "stop");
        }
        return new FakeReply("unrecognised prompt");
    }
}

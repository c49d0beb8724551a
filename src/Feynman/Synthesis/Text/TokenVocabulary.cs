namespace Feynman.Synthesis.Text;

/// <summary>Maps token strings to dense integer ids so LCS compares ints; not thread-safe.</summary>
public sealed class TokenVocabulary
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    public int Count => _ids.Count;

    public int GetOrAdd(string token)
    {
        if (!_ids.TryGetValue(token, out int id))
        {
            id = _ids.Count;
            _ids.Add(token, id);
        }
        return id;
    }

    public int[] Encode(IReadOnlyList<string> tokens)
    {
        var ids = new int[tokens.Count];
        for (int i = 0; i < ids.Length; i++) ids[i] = GetOrAdd(tokens[i]);
        return ids;
    }
}

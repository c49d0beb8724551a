using System.Numerics;

namespace Feynman.Synthesis.Text;

/// <summary>
/// One side of a longest-common-subsequence computation prepared for bit-parallel LCS (Allison-Dix / Hyyrö):
/// one bit per pattern token, 64 tokens per machine word, so each token of the other text costs one add and a few
/// logic operations per word instead of a row of the dynamic-programming table. Reusable; not thread-safe.
/// </summary>
public sealed class LcsPattern
{
    private int[] _slotByToken = [];          // token id -> index of its match mask, -1 when absent from the pattern
    private readonly List<int> _setTokens = [];
    private ulong[] _masks = [];
    private ulong[] _v = [];
    private int _words;

    public int Length { get; private set; }

    /// <summary>Prepares <paramref name="pattern"/> (token ids, non-negative) for repeated LCS queries.</summary>
    public void Set(ReadOnlySpan<int> pattern)
    {
        foreach (int t in _setTokens) _slotByToken[t] = -1;
        _setTokens.Clear();
        Length = pattern.Length;
        _words = Math.Max(1, (pattern.Length + 63) >> 6);
        int maxId = -1;
        foreach (int t in pattern)
        {
            if (t < 0) throw new ArgumentOutOfRangeException(nameof(pattern), $"token ids must be non-negative, got {t}.");
            if (t > maxId) maxId = t;
        }
        if (maxId >= _slotByToken.Length)
        {
            int old = _slotByToken.Length;
            Array.Resize(ref _slotByToken, Math.Max(maxId + 1, old * 2));
            _slotByToken.AsSpan(old).Fill(-1);
        }
        if (_masks.Length < pattern.Length * _words) _masks = new ulong[Math.Max(pattern.Length * _words, _masks.Length * 2)];
        if (_v.Length < _words) _v = new ulong[_words];
        for (int i = 0; i < pattern.Length; i++)
        {
            int t = pattern[i];
            int slot = _slotByToken[t];
            if (slot < 0)
            {
                slot = _setTokens.Count;
                _slotByToken[t] = slot;
                _setTokens.Add(t);
                _masks.AsSpan(slot * _words, _words).Clear();
            }
            _masks[slot * _words + (i >> 6)] |= 1UL << (i & 63);
        }
    }

    /// <summary>Length of the longest common subsequence of the pattern and <paramref name="text"/>.</summary>
    public int LcsWith(ReadOnlySpan<int> text)
    {
        if (Length == 0 || text.Length == 0) return 0;
        var slots = _slotByToken;
        var masks = _masks;
        if (_words == 1)
        {
            ulong v = ~0UL;
            foreach (int t in text)
            {
                if ((uint)t >= (uint)slots.Length) continue;
                int slot = slots[t];
                if (slot < 0) continue;            // a token absent from the pattern leaves the state unchanged
                ulong m = masks[slot];
                ulong u = v & m;
                v = (v + u) | (v & ~m);
            }
            return BitOperations.PopCount(~v);
        }

        int words = _words;
        var vs = _v.AsSpan(0, words);
        vs.Fill(~0UL);
        foreach (int t in text)
        {
            if ((uint)t >= (uint)slots.Length) continue;
            int slot = slots[t];
            if (slot < 0) continue;
            var ms = masks.AsSpan(slot * words, words);
            ulong carry = 0;
            for (int w = 0; w < words; w++)
            {
                ulong vw = vs[w], m = ms[w];
                ulong u = vw & m;
                ulong x = vw + u;
                ulong c1 = x < vw ? 1UL : 0UL;
                ulong y = x + carry;
                ulong c2 = y < x ? 1UL : 0UL;
                carry = c1 | c2;
                vs[w] = y | (vw & ~m);
            }
        }
        int lcs = 0;
        foreach (ulong vw in vs) lcs += BitOperations.PopCount(~vw);
        return lcs;
    }
}

namespace Feynman.Tensors;

/// <summary>
/// A seeded random generator (xoshiro256**, seeded by SplitMix64). Its whole state is four words and
/// a cached normal, so checkpoints save it and a resumed run draws the same numbers.
/// </summary>
public sealed class Generator
{
    private ulong s0, s1, s2, s3;
    private bool hasSpare;
    private float spare;

    public Generator(ulong seed) => Seed(seed);

    /// <summary>The process-wide default generator, reseeded by <see cref="ManualSeed"/>.</summary>
    public static Generator Default { get; private set; } = new(0);

    /// <summary>Reseeds the default generator (PyTorch's torch.manual_seed).</summary>
    public static void ManualSeed(ulong seed) => Default = new Generator(seed);

    public void Seed(ulong seed)
    {
        ulong x = seed;
        s0 = SplitMix(ref x); s1 = SplitMix(ref x); s2 = SplitMix(ref x); s3 = SplitMix(ref x);
        hasSpare = false;
        spare = 0;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n) without modulo bias.</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n));
        ulong bound = (ulong)n;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong r = NextUInt64();
            if (r >= threshold) return (int)(r % bound);
        }
    }

    /// <summary>Standard normal (Box-Muller; the second value of each pair is cached).</summary>
    public float NextNormal()
    {
        if (hasSpare)
        {
            hasSpare = false;
            return spare;
        }
        double u1, u2;
        do u1 = NextDouble(); while (u1 <= double.Epsilon);
        u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        spare = (float)(r * Math.Sin(2 * Math.PI * u2));
        hasSpare = true;
        return (float)(r * Math.Cos(2 * Math.PI * u2));
    }

    public void FillUniform(Span<float> values, float low, float high)
    {
        float width = high - low;
        for (int i = 0; i < values.Length; i++) values[i] = low + width * NextFloat();
    }

    public void FillNormal(Span<float> values, float mean, float std)
    {
        for (int i = 0; i < values.Length; i++) values[i] = mean + std * NextNormal();
    }

    /// <summary>A random permutation of 0..n-1 (Fisher-Yates).</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Shuffle(p.AsSpan());
        return p;
    }

    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A new generator whose stream is derived from this one's (for per-worker streams).</summary>
    public Generator Fork() => new(NextUInt64());

    /// <summary>The full state, for checkpoints.</summary>
    public GeneratorState GetState() => new(s0, s1, s2, s3, hasSpare, spare);

    public void SetState(GeneratorState state)
    {
        (s0, s1, s2, s3) = (state.S0, state.S1, state.S2, state.S3);
        hasSpare = state.HasSpare;
        spare = state.Spare;
    }
}

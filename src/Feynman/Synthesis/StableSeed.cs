namespace Feynman.Synthesis;

/// <summary>
/// Deterministic per-request seeds. <see cref="HashCode"/> is randomised per process, so it cannot be used where a
/// resumed run, in a new process, must rebuild exactly the same prompts.
/// </summary>
public static class StableSeed
{
    public static int Of(int seed, int index, int stream)
    {
        ulong z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)index * 0xC2B2AE3D27D4EB4FUL ^ (ulong)(uint)stream * 0x165667B19E3779F9UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & int.MaxValue);
    }
}

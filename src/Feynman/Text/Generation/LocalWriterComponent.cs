using System.Globalization;
using Feynman.Text.Teaching;

namespace Feynman.Text.Generation;

/// <summary>
/// The local generator as the teaching recipe's writer <c>local</c>: trains a <see cref="ByteLanguageModel"/> on the run's
/// labelled training text plus its unlabelled corpus (once, saved in the output folder and reused by reruns), and wraps it
/// in a <see cref="LocalExampleWriter"/>. Options (<c>writer: {name: local, steps: 1500, ...}</c>): model (path of the
/// saved generator, default OUT/generator.safetensors), steps, batch, context, embed, heads, layers, ff, lr, temperature,
/// top_k, max_length, primed_fraction, prefix_length, min_new_chars.
/// </summary>
public static class LocalWriterComponent
{
    public const string Name = "local";

    public const string DefaultModelFile = "generator.safetensors";

    private static readonly Lazy<bool> Registered = new(() =>
    {
        TeachingComponents.RegisterWriter(Name, Create);
        return true;
    });

    /// <summary>Registers the writer as <c>local</c> with <see cref="TeachingComponents"/> (idempotent).</summary>
    public static void Register() => _ = Registered.Value;

    public static IExampleWriter Create(TeachContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = context.Data ?? throw new InvalidOperationException("the local writer is built after the run's data; TeachContext.Data is missing.");
        var c = context.Component;
        var corpus = Corpus(data);
        if (!corpus.Any(e => e.Label >= 0))
            throw new InvalidDataException("the local writer learns what each class writes from labelled text, but the run's data has no labelled training or unlabelled-corpus examples with labels; give the data source a 'train' set.");

        var modelOptions = new LanguageModelOptions();
        modelOptions = modelOptions with
        {
            ContextLength = c.GetInt("context", modelOptions.ContextLength),
            EmbedDim = c.GetInt("embed", modelOptions.EmbedDim),
            Heads = c.GetInt("heads", modelOptions.Heads),
            Layers = c.GetInt("layers", modelOptions.Layers),
            FeedForwardDim = c.GetInt("ff", modelOptions.FeedForwardDim),
        };
        var training = new LanguageModelTrainingOptions();
        training = training with
        {
            Steps = c.GetInt("steps", 1500),
            BatchSize = c.GetInt("batch", training.BatchSize),
            LearningRate = c.GetDouble("lr", training.LearningRate),
            Seed = context.Seed,
            ReportEvery = Math.Max(1, c.GetInt("steps", 1500) / 20),
        };
        var sampling = new SamplingOptions();
        sampling = sampling with
        {
            Temperature = (float)c.GetDouble("temperature", sampling.Temperature),
            TopK = c.GetInt("top_k", sampling.TopK),
            MaxLength = c.GetInt("max_length", sampling.MaxLength),
        };
        var writerOptions = new LocalExampleWriterOptions();
        writerOptions = writerOptions with
        {
            Sampling = sampling,
            PrimedFraction = c.GetDouble("primed_fraction", writerOptions.PrimedFraction),
            PrefixLength = c.GetInt("prefix_length", writerOptions.PrefixLength),
            MinNewCharacters = c.GetInt("min_new_chars", writerOptions.MinNewCharacters),
        };
        writerOptions.Validate();

        var path = c.Get("model") is { Length: > 0 } p ? Path.GetFullPath(p, context.OutputDirectory) : Path.Combine(context.OutputDirectory, DefaultModelFile);
        var log = context.Log;
        if (File.Exists(path)) log?.Invoke($"local writer: generator from {path}");
        else log?.Invoke($"local writer: training the generator on {corpus.Count} texts ({corpus.Count(e => e.Label >= 0)} labelled), {training.Steps} steps; saved to {path}");
        var progress = log is null ? null : new LogProgress(p =>
            log($"local writer: step {p.Step}/{p.Steps}, loss {p.Loss.ToString("F3", CultureInfo.InvariantCulture)} nats/byte, {p.TokensPerSecond.ToString("F0", CultureInfo.InvariantCulture)} tokens/s"));
        var model = LanguageModelTrainer.LoadOrTrain(path, corpus, data.LabelNames, modelOptions, training, progress, context.CancellationToken);
        return new LocalExampleWriter(model, writerOptions);
    }

    /// <summary>The labelled training set, then the unlabelled corpus (labels kept when it has them), each text once by id.</summary>
    public static IReadOnlyList<TextExample> Corpus(TeachingData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var corpus = new List<TextExample>();
        foreach (var e in (data.Train ?? []).Concat(data.Unlabelled ?? []))
            if (seen.Add(e.Id)) corpus.Add(e);
        return corpus;
    }

    private sealed class LogProgress(Action<LanguageModelProgress> report) : IProgress<LanguageModelProgress>
    {
        public void Report(LanguageModelProgress value) => report(value);
    }
}

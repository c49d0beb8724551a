using System.Diagnostics;
using Feynman.Autograd;
using Feynman.Optim;
using Feynman.Tensors;
using Feynman.Training;

namespace Feynman.Text.Generation;

/// <summary>
/// Trains a <see cref="ByteLanguageModel"/> on text: each step draws random windows of examples, each window the
/// example's class token (or the unlabelled token) followed by a stretch of <c>[start] bytes [end]</c>, and learns to
/// predict every next byte. The class token leads every window, wherever in the example it starts, so the class
/// conditions all the text the model learns, not only the first bytes.
/// </summary>
public static class LanguageModelTrainer
{
    private const int Ignore = -100;

    /// <summary>Trains <paramref name="model"/> in place on <paramref name="corpus"/> (labels -1 = unlabelled) for the step budget.</summary>
    public static LanguageModelTrainingResult Train(ByteLanguageModel model, IReadOnlyList<TextExample> corpus, LanguageModelTrainingOptions? options = null,
                                                    IProgress<LanguageModelProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(corpus);
        options ??= new LanguageModelTrainingOptions();
        options.Validate();
        if (corpus.Count == 0) throw new ArgumentException("the language model needs at least one training text; the corpus is empty.", nameof(corpus));
        int classes = model.LabelNames.Count;
        int length = options.WindowLength == 0 ? model.ContextLength : options.WindowLength;
        if (length > model.ContextLength)
            throw new ArgumentException($"window length {length} exceeds the model's context length {model.ContextLength}.", nameof(options));

        var texts = new byte[corpus.Count][];
        var classTokens = new int[corpus.Count];
        for (int i = 0; i < corpus.Count; i++)
        {
            var example = corpus[i] ?? throw new ArgumentException($"corpus item {i} is null.", nameof(corpus));
            if (example.Label != TextExample.Unlabelled && (uint)example.Label >= (uint)classes)
                throw new ArgumentException($"corpus item {i} ('{example.Id}') has label {example.Label}, outside the model's {classes} classes [{string.Join(", ", model.LabelNames)}] (use -1 for unlabelled text).", nameof(corpus));
            texts[i] = ByteTokens.Encode(example.Text ?? "");
            classTokens[i] = ByteTokens.ClassToken(example.Label, classes);
        }

        var optimizer = new AdamW(model.Parameters(), options.LearningRate, weightDecay: options.WeightDecay);
        var rng = new Generator((ulong)(uint)options.Seed ^ 0x5EED_0F_1A6E_0000UL);
        int batch = options.BatchSize;
        var inputs = new int[batch * length];
        var targets = new int[batch * length];
        var losses = new List<double>(options.Steps);
        long tokens = 0, tokensSinceReport = 0;
        double lossSinceReport = 0;
        int stepsSinceReport = 0;
        var clock = Stopwatch.StartNew();
        var lastReport = clock.Elapsed;
        model.Train();
        int step = 0;
        for (; step < options.Steps && !cancellationToken.IsCancellationRequested; step++)
        {
            for (int b = 0; b < batch; b++)
            {
                int pick = rng.NextInt(texts.Length);
                var text = texts[pick];
                // The stream is [start] text [end]: n + 2 tokens; an offset up to n leaves at least one target.
                int offset = rng.NextDouble() < options.StartWindowFraction ? 0 : rng.NextInt(text.Length + 1);
                tokens += FillWindow(text, offset, classTokens[pick], inputs.AsSpan(b * length, length), targets.AsSpan(b * length, length));
            }
            optimizer.LearningRate = LearningRateAt(step, options);
            double value;
            using (TensorScope.Begin())
            {
                var logits = model.Forward(inputs, batch, length);
                var loss = Ops.CrossEntropy(Ops.Reshape(logits, batch * length, model.VocabularySize), targets, ignoreIndex: Ignore);
                value = loss.Item();
                if (!double.IsFinite(value))
                    throw new TrainingDivergedException($"language model: the loss is {value} at step {step + 1}; lower the learning rate (now {optimizer.LearningRate:g3}).");
                loss.Backward();
                if (options.MaxGradNorm > 0) GradientClipping.ClipGradNorm(model.Parameters(), options.MaxGradNorm);
                optimizer.Step();
                optimizer.ZeroGrad();
            }
            losses.Add(value);
            lossSinceReport += value;
            stepsSinceReport++;
            tokensSinceReport += batch * length;
            if (progress is not null && ((step + 1) % options.ReportEvery == 0 || step + 1 == options.Steps))
            {
                var now = clock.Elapsed;
                double seconds = Math.Max(1e-9, (now - lastReport).TotalSeconds);
                progress.Report(new LanguageModelProgress(step + 1, options.Steps, lossSinceReport / stepsSinceReport, optimizer.LearningRate, tokensSinceReport / seconds, now));
                lastReport = now;
                lossSinceReport = 0;
                stepsSinceReport = 0;
                tokensSinceReport = 0;
            }
        }
        model.Eval();
        return new LanguageModelTrainingResult(step, losses, tokens, clock.Elapsed);
    }

    /// <summary>
    /// Loads the model saved at <paramref name="path"/>, or, when there is none, trains one on <paramref name="corpus"/> and
    /// saves it there, so a teaching loop trains its generator once and reuses it in every round and rerun.
    /// </summary>
    public static ByteLanguageModel LoadOrTrain(string path, IReadOnlyList<TextExample> corpus, IReadOnlyList<string> labelNames,
                                                LanguageModelOptions? modelOptions = null, LanguageModelTrainingOptions? trainingOptions = null,
                                                IProgress<LanguageModelProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(labelNames);
        if (File.Exists(path))
        {
            var loaded = ByteLanguageModel.FromFile(path);
            if (!loaded.LabelNames.SequenceEqual(labelNames, StringComparer.Ordinal))
            {
                var saved = string.Join(", ", loaded.LabelNames);
                loaded.Dispose();
                throw new InvalidDataException($"{path}: the saved language model has labels [{saved}], not [{string.Join(", ", labelNames)}]; delete the file to train a new one.");
            }
            return loaded;
        }
        trainingOptions ??= new LanguageModelTrainingOptions();
        var model = new ByteLanguageModel(labelNames, modelOptions, trainingOptions.Seed);
        try
        {
            Train(model, corpus, trainingOptions, progress, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested(); // a half-trained model must not be saved for reuse
            var temp = path + ".tmp";
            model.Save(temp);
            File.Move(temp, path, overwrite: true);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Linear warm-up to the peak rate, then cosine decay to the final fraction at the last step.</summary>
    public static double LearningRateAt(int step, LanguageModelTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        double peak = options.LearningRate;
        if (step < options.WarmupSteps) return peak * (step + 1) / options.WarmupSteps;
        int decaySteps = Math.Max(1, options.Steps - options.WarmupSteps - 1);
        double progress = Math.Clamp((double)(step - options.WarmupSteps) / decaySteps, 0, 1);
        double floor = peak * options.FinalLearningRateFraction;
        return floor + (peak - floor) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    /// <summary>
    /// One training window: inputs <c>[class, s[o], s[o+1], ...]</c> over the stream s = [start] text [end], padded with the end
    /// token; targets are the next stream token, ignored at position 0 (the class token alone cannot know where the window
    /// starts) and past the stream's end. Returns the number of scored targets.
    /// </summary>
    internal static int FillWindow(ReadOnlySpan<byte> text, int offset, int classToken, Span<int> inputs, Span<int> targets)
    {
        int streamLength = text.Length + 2;
        inputs[0] = classToken;
        targets[0] = Ignore;
        int scored = 0;
        for (int i = 1; i < inputs.Length; i++)
        {
            int at = offset + i - 1;
            inputs[i] = at < streamLength ? StreamToken(text, at) : ByteTokens.Eos;
            if (at + 1 < streamLength)
            {
                targets[i] = StreamToken(text, at + 1);
                scored++;
            }
            else targets[i] = Ignore;
        }
        return scored;
    }

    private static int StreamToken(ReadOnlySpan<byte> text, int at) =>
        at == 0 ? ByteTokens.Bos : at <= text.Length ? text[at - 1] : ByteTokens.Eos;
}

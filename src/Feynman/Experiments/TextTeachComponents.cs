using Feynman.Text;
using Feynman.Text.Labelling;
using Feynman.Text.Models;
using Feynman.Text.Teaching;

namespace Feynman.Experiments;

/// <summary>
/// The text parts a teaching recipe can name (registered by <see cref="TeachRecipes.Register"/>):
/// data <c>spam-assassin</c>; students <c>fasttext</c> and <c>transformer</c>; labeller <c>local</c>, the large local
/// text model trained on the run's labelled training set. The writer <c>local</c> is the class-conditioned generator
/// (Text.Generation.LocalWriterComponent). With an endpoint, the <c>llm</c> labeller and writer replace the local ones.
/// </summary>
public static class TextTeachComponents
{
    private static readonly Lazy<bool> Registered = new(() =>
    {
        TeachingComponents.RegisterData(SpamAssassin.SourceName, SpamAssassinData);
        TeachingComponents.RegisterStudent("fasttext", c => new FastTextTrainer(FastText(c.Component)));
        TeachingComponents.RegisterStudent("transformer", c => new TransformerTextTrainer(Transformer(c.Component)));
        TeachingComponents.RegisterLabeler("local", LocalLabeler);
        return true;
    });

    public static void Register() => _ = Registered.Value;

    /// <summary>
    /// SpamAssassin split by group (easy ham, hard ham, spam; seeded): <c>test</c> share held out for the report,
    /// <c>dev</c> share of the rest for the student's failures, and the first <c>seed_size</c> training messages
    /// (a seeded shuffle) as the seed set the teacher labels. The whole training part is the local teacher's
    /// labelled data and the generator's corpus.
    /// </summary>
    private static TeachingData SpamAssassinData(TeachContext c)
    {
        var all = SpamAssassin.Load(c.Component.Get("dir")); // else the installed npm package or $FEYNMAN_SPAM_ASSASSIN
        var o = c.Component;
        var (rest, test) = TextSplit.Split(all, o.GetDouble("test", 0.2), (ulong)c.Seed);
        var (train, dev) = TextSplit.Split(rest, o.GetDouble("dev", 0.1), (ulong)c.Seed + 1);
        int seedSize = o.GetInt("seed_size", 200);
        if (seedSize < 2 || seedSize > train.Count)
            throw new ArgumentException($"{SpamAssassin.SourceName}: seed_size must be 2..{train.Count} (the training messages), got {seedSize}.");
        var seedSet = train.Take(seedSize, (ulong)c.Seed + 2);
        return new TeachingData(all.LabelNames, seedSet.Examples, dev.Examples)
        {
            Test = test.Examples, Train = train.Examples, Unlabelled = train.Examples,
        };
    }

    private static ITextLabeler LocalLabeler(TeachContext c)
    {
        var data = c.Data ?? throw new InvalidOperationException("the local labeller is built after the run's data.");
        if (data.Train is not { Count: > 0 } train)
            throw new InvalidDataException($"the local labeller learns from labelled training text, but data source '{c.Spec.Data.Name}' gives none.");
        string kind = c.Component.Get("model") ?? "fasttext";
        ITextStudentTrainer trainer = kind switch
        {
            "fasttext" => new FastTextTrainer(FastText(c.Component, dimension: 64)),
            "transformer" => new TransformerTextTrainer(Transformer(c.Component)),
            _ => throw new ArgumentException($"labeller local: model '{kind}' is not one of: fasttext, transformer."),
        };
        c.Log?.Invoke($"training the local teacher ({kind}) on {train.Count} labelled messages");
        var model = trainer.Train(train, null, data.LabelNames, c.Seed, null, c.CancellationToken);
        return new LocalTextLabeler(model, $"local-{kind}", (float)c.Component.GetDouble("min_confidence", 0));
    }

    private static FastTextOptions FastText(TeachComponent o, int dimension = 16)
    {
        var d = new FastTextOptions();
        return d with
        {
            Dimension = o.GetInt("dimension", dimension),
            Training = d.Training with
            {
                Epochs = o.GetInt("epochs", d.Training.Epochs),
                LearningRate = o.GetDouble("lr", 0.05),
            },
        };
    }

    private static TransformerTextOptions Transformer(TeachComponent o)
    {
        var d = new TransformerTextOptions();
        return d with
        {
            MaxLength = o.GetInt("max_length", 128),
            Layers = o.GetInt("layers", d.Layers),
            DModel = o.GetInt("d_model", d.DModel),
            Training = d.Training with { Epochs = o.GetInt("epochs", d.Training.Epochs) },
        };
    }
}

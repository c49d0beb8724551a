using Feynman.Text.Models;
using Feynman.Training.Recipes;

namespace Feynman.Text.Distillation;

/// <summary>
/// The <c>text_distillation</c> section of a recipe (paradigm <c>text-distillation</c>, e.g. recipes/spam-kd.yaml):
/// text data, one or more teachers (several form an ensemble that averages their probabilities) trained on labels,
/// and a student trained from labels alone (the baseline) and from the teachers' soft labels at a temperature.
/// </summary>
public sealed record TextDistillationSpec
{
    public const string SectionKey = "text_distillation";
    public const string ParadigmName = "text-distillation";

    private static readonly string[] Keys = ["data", "teacher", "teachers", "student", "temperature", "alpha", "baseline", "timing_calls"];
    private static readonly string[] DataKeys = ["source", "file", "text_field", "label_field", "labels", "test", "positive"];
    private static readonly string[] ModelKeys = ["name", "kind", "dimension", "max_length", "d_model", "heads", "layers", "feed_forward", "dropout", "tokenizer", "training"];
    private static readonly string[] TokenizerKeys = ["min_count", "max_vocabulary", "buckets", "min_n", "max_n", "word_ngrams", "max_words", "max_word_length", "lowercase"];
    private static readonly string[] TrainingKeys = ["epochs", "batch_size", "lr", "weight_decay", "clip_grad_norm"];

    public TextDataSpec Data { get; init; } = new();

    public IReadOnlyList<TextModelSpec> Teachers { get; init; } = [];

    public required TextModelSpec Student { get; init; }

    public double Temperature { get; init; } = 2;

    /// <summary>Weight of the hard-label loss for the distilled student (see <see cref="StudentTrainingOptions"/>).</summary>
    public double Alpha { get; init; } = 0.1;

    /// <summary>Also train the student from labels alone, for comparison.</summary>
    public bool Baseline { get; init; } = true;

    /// <summary>Messages timed one at a time for the µs-per-message figure (the median is reported).</summary>
    public int TimingCalls { get; init; } = 300;

    public static TextDistillationSpec Parse(RecipeNode node)
    {
        var k = node.Mapping(Keys);
        if (k.ContainsKey("teacher") && k.ContainsKey("teachers")) throw k["teachers"].Error("give either 'teacher' (one) or 'teachers' (a list), not both.");
        var teachers = new List<TextModelSpec>();
        if (k.TryGetValue("teacher", out var t)) teachers.Add(ParseModel(t, "teacher", TextModelSpec.TransformerKind));
        if (k.TryGetValue("teachers", out var ts))
        {
            var items = ts.Sequence();
            if (items.Count == 0) throw ts.Error("the list of teachers is empty.");
            for (int i = 0; i < items.Count; i++) teachers.Add(ParseModel(items[i], $"teacher{i + 1}", TextModelSpec.TransformerKind));
        }
        if (!k.TryGetValue("student", out var s)) throw node.Error("needs a 'student' section (kind: fasttext, ...).");
        var spec = new TextDistillationSpec
        {
            Data = k.TryGetValue("data", out var d) ? ParseData(d) : new TextDataSpec(),
            Teachers = teachers,
            Student = ParseModel(s, "student", TextModelSpec.FastTextKind),
        };
        if (k.TryGetValue("temperature", out var temp)) spec = spec with { Temperature = temp.Double(0, 100, minExclusive: true) };
        if (k.TryGetValue("alpha", out var a)) spec = spec with { Alpha = a.Double(0, 1) };
        if (k.TryGetValue("baseline", out var b)) spec = spec with { Baseline = b.Bool() };
        if (k.TryGetValue("timing_calls", out var tc)) spec = spec with { TimingCalls = tc.Int(1, 100000) };
        var names = spec.Teachers.Select(x => x.Name).Append(spec.Student.Name).GroupBy(x => x).FirstOrDefault(g => g.Count() > 1);
        if (names is not null) throw node.Error($"two models are named '{names.Key}'; give each a different name.");
        return spec;
    }

    private static TextDataSpec ParseData(RecipeNode node)
    {
        var k = node.Mapping(DataKeys);
        var spec = new TextDataSpec();
        if (k.ContainsKey("source") && k.ContainsKey("file")) throw k["file"].Error("give either 'source' (a named corpus) or 'file' (a .jsonl or .csv file), not both.");
        if (k.TryGetValue("source", out var s))
        {
            var name = s.String();
            if (!TextDataSources.Names.Contains(name)) throw s.Error($"unknown text data source '{name}'; known sources: {string.Join(", ", TextDataSources.Names.Order())}.");
            spec = spec with { Source = name };
        }
        if (k.TryGetValue("file", out var f)) spec = spec with { File = f.String(), Source = null };
        if (k.TryGetValue("text_field", out var tf)) spec = spec with { TextField = tf.String() };
        if (k.TryGetValue("label_field", out var lf)) spec = spec with { LabelField = lf.String() };
        if (k.TryGetValue("labels", out var l))
        {
            var labels = l.Sequence().Select(x => x.String()).ToArray();
            if (labels.Length < 2) throw l.Error("give at least two labels.");
            spec = spec with { Labels = labels };
        }
        if (k.TryGetValue("test", out var t)) spec = spec with { Test = t.Double(0, 0.9, minExclusive: true) };
        if (k.TryGetValue("positive", out var p)) spec = spec with { Positive = p.String() };
        if (spec.Positive is { } pos && spec.Labels is { } given && !given.Contains(pos)) throw k["positive"].Error($"'{pos}' is not one of the labels ({string.Join(", ", given)}).");
        return spec;
    }

    private static TextModelSpec ParseModel(RecipeNode node, string defaultName, string defaultKind)
    {
        var k = node.Mapping(ModelKeys);
        string name = k.TryGetValue("name", out var n) ? n.String() : defaultName;
        string kind = k.TryGetValue("kind", out var kn) ? kn.Choice(TextModelSpec.FastTextKind, TextModelSpec.TransformerKind) : defaultKind;
        if (kind == TextModelSpec.FastTextKind)
        {
            foreach (var key in new[] { "max_length", "d_model", "heads", "layers", "feed_forward", "dropout" })
                if (k.TryGetValue(key, out var bad)) throw bad.Error($"'{key}' belongs to a transformer; a fasttext model has dimension, tokenizer and training.");
            var o = new FastTextOptions();
            if (k.TryGetValue("dimension", out var dim)) o = o with { Dimension = dim.Int(1, 1024) };
            if (k.TryGetValue("tokenizer", out var tok)) o = o with { Tokenizer = ParseTokenizer(tok, o.Tokenizer) };
            if (k.TryGetValue("training", out var tr)) o = o with { Training = ParseTraining(tr, o.Training) };
            return new TextModelSpec(name, kind, o, null);
        }
        if (k.TryGetValue("dimension", out var d)) throw d.Error("'dimension' belongs to a fasttext model; a transformer has d_model.");
        var t = new TransformerTextOptions();
        if (k.TryGetValue("max_length", out var ml)) t = t with { MaxLength = ml.Int(1, 4096) };
        if (k.TryGetValue("d_model", out var dm)) t = t with { DModel = dm.Int(1, 4096) };
        if (k.TryGetValue("heads", out var h)) t = t with { Heads = h.Int(1, 64) };
        if (k.TryGetValue("layers", out var l)) t = t with { Layers = l.Int(1, 48) };
        if (k.TryGetValue("feed_forward", out var ff)) t = t with { FeedForward = ff.Int(1, 65536) };
        if (k.TryGetValue("dropout", out var dr)) t = t with { Dropout = dr.Double(0, 0.99) };
        if (k.TryGetValue("tokenizer", out var tk)) t = t with { Tokenizer = ParseTokenizer(tk, t.Tokenizer) };
        if (k.TryGetValue("training", out var trn)) t = t with { Training = ParseTraining(trn, t.Training) };
        if (t.DModel % t.Heads != 0) throw node.Error($"d_model ({t.DModel}) must be a multiple of heads ({t.Heads}).");
        return new TextModelSpec(name, kind, null, t);
    }

    private static TokenizerOptions ParseTokenizer(RecipeNode node, TokenizerOptions o)
    {
        var k = node.Mapping(TokenizerKeys);
        if (k.TryGetValue("min_count", out var mc)) o = o with { MinCount = mc.Int(1) };
        if (k.TryGetValue("max_vocabulary", out var mv)) o = o with { MaxVocabulary = mv.Int(0) };
        if (k.TryGetValue("buckets", out var b)) o = o with { Buckets = b.Int(0, 1 << 24) };
        if (k.TryGetValue("min_n", out var mn)) o = o with { MinN = mn.Int(1, 20) };
        if (k.TryGetValue("max_n", out var mx)) o = o with { MaxN = mx.Int(0, 20) };
        if (k.TryGetValue("word_ngrams", out var wn)) o = o with { WordNgrams = wn.Int(1, 2) };
        if (k.TryGetValue("max_words", out var mw)) o = o with { MaxWords = mw.Int(1) };
        if (k.TryGetValue("max_word_length", out var ml)) o = o with { MaxWordLength = ml.Int(1, 256) };
        if (k.TryGetValue("lowercase", out var lc)) o = o with { Lowercase = lc.Bool() };
        try { o.Validate(); }
        catch (ArgumentOutOfRangeException ex) { throw node.Error(ex.Message.Split(" (Parameter", 2)[0]); }
        return o;
    }

    private static StudentTrainingOptions ParseTraining(RecipeNode node, StudentTrainingOptions o)
    {
        var k = node.Mapping(TrainingKeys);
        if (k.TryGetValue("epochs", out var e)) o = o with { Epochs = e.Int(1, 100000) };
        if (k.TryGetValue("batch_size", out var bs)) o = o with { BatchSize = bs.Int(1, 1 << 20) };
        if (k.TryGetValue("lr", out var lr)) o = o with { LearningRate = lr.Double(0, 100, minExclusive: true) };
        if (k.TryGetValue("weight_decay", out var wd)) o = o with { WeightDecay = wd.Double(0, 10) };
        if (k.TryGetValue("clip_grad_norm", out var c)) o = o with { ClipGradNorm = c.Double(0) };
        return o;
    }

    public static string? Validate(Recipe recipe)
    {
        var spec = recipe.Section<TextDistillationSpec>(SectionKey);
        if (spec is null) return $"needs a '{SectionKey}' section (data, teacher or teachers, student, temperature, alpha).";
        if (spec.Teachers.Count == 0) return $"the '{SectionKey}' section needs a 'teacher' (or 'teachers').";
        return null;
    }

    public static void Register()
    {
        RecipeParser.RegisterSection(SectionKey, Parse);
        RecipeParser.RegisterParadigm(ParadigmName, Validate);
    }
}

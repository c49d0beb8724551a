using Feynman.Data;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Feynman.Training.Recipes;

/// <summary>
/// Reads recipes and model files (YAML; schema in docs/recipes.md) into plain records. Unknown keys,
/// wrong types, out-of-range values and impossible layer sizes are errors that give the file, line and
/// column, the key path, and what is allowed.
/// </summary>
public static class RecipeParser
{
    private static readonly string[] RecipeKeys = ["name", "description", "paradigm", "seed", "data", "training", "teacher", "teachers", "student", "model", "distillation"];
    private static readonly string[] DataKeys = ["train", "test", "validation", "stratified", "augment", "train_size"];
    private static readonly string[] AugmentKeys = ["crop_padding", "horizontal_flip"];
    private static readonly string[] TrainingKeys = ["epochs", "batch_size", "optimizer", "schedule", "warmup_epochs", "clip_grad_norm", "early_stopping", "label_smoothing", "augment"];
    private static readonly string[] OptimizerKeys = ["name", "lr", "momentum", "nesterov", "weight_decay", "betas", "eps"];
    private static readonly string[] EarlyStoppingKeys = ["patience", "metric", "min_delta"];
    private static readonly string[] SectionKeys = ["name", "model", "training", "weights"];
    private static readonly string[] DistillationKeys = ["temperature", "alpha", "baseline"];

    private static readonly Lock RegistryLock = new();
    private static readonly Dictionary<string, Func<RecipeNode, object>> ExtraSections = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, Func<Recipe, string?>?> ExtraParadigms = new(StringComparer.Ordinal);

    /// <summary>The paradigms a recipe can name: the built-in ones and those registered.</summary>
    public static IReadOnlyList<string> Paradigms
    {
        get { lock (RegistryLock) return ["supervised", "distillation", .. ExtraParadigms.Keys]; }
    }

    /// <summary>
    /// Lets recipes carry a top-level section <paramref name="key"/> (e.g. "weak_to_strong"), read by
    /// <paramref name="parse"/> into the paradigm's own record, found later in <see cref="Recipe.Sections"/>.
    /// </summary>
    public static void RegisterSection(string key, Func<RecipeNode, object> parse)
    {
        lock (RegistryLock)
        {
            if (RecipeKeys.Contains(key)) throw new ArgumentException($"'{key}' is a built-in recipe key.", nameof(key));
            ExtraSections[key] = parse;
        }
    }

    /// <summary>
    /// Adds a paradigm name recipes may give in <c>paradigm:</c>. <paramref name="validate"/> returns what
    /// is missing or inconsistent in a recipe of that paradigm (null when it is fine).
    /// </summary>
    public static void RegisterParadigm(string name, Func<Recipe, string?>? validate = null)
    {
        lock (RegistryLock)
        {
            if (name is "supervised" or "distillation") throw new ArgumentException($"'{name}' is a built-in paradigm.", nameof(name));
            ExtraParadigms[name] = validate;
        }
    }

    public static Recipe Load(string path)
    {
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"recipe {path} does not exist.", path);
        return Parse(System.IO.File.ReadAllText(path), path);
    }

    public static Recipe Parse(string yaml, string? file = null)
    {
        var root = Root(yaml, file);
        Dictionary<string, Func<RecipeNode, object>> extraSections;
        Dictionary<string, Func<Recipe, string?>?> extraParadigms;
        lock (RegistryLock) (extraSections, extraParadigms) = (new(ExtraSections), new(ExtraParadigms));
        var keys = root.Mapping([.. RecipeKeys, .. extraSections.Keys]);
        string name = keys.TryGetValue("name", out var n) ? n.String() : file is null ? "recipe" : Path.GetFileNameWithoutExtension(file);
        ulong seed = keys.TryGetValue("seed", out var s) ? s.UInt64() : 0;
        var data = keys.TryGetValue("data", out var d) ? ParseData(d) : new DataSpec();
        var training = keys.TryGetValue("training", out var t) ? ParseTraining(t, TrainingSpec.Defaults) : TrainingSpec.Defaults;

        if (keys.ContainsKey("teacher") && keys.ContainsKey("teachers"))
            throw keys["teachers"].Error("give either 'teacher' (one) or 'teachers' (a list), not both.");
        var teachers = new List<ModelSection>();
        if (keys.TryGetValue("teacher", out var teacher)) teachers.Add(ParseSection(teacher, "teacher", training));
        if (keys.TryGetValue("teachers", out var list))
        {
            var items = list.Sequence();
            if (items.Count == 0) throw list.Error("the list of teachers is empty.");
            for (int i = 0; i < items.Count; i++) teachers.Add(ParseSection(items[i], $"teacher{i + 1}", training));
        }
        var student = keys.TryGetValue("student", out var st) ? ParseSection(st, "student", training) : null;
        // A supervised recipe's model may be given directly (input and layers) or as a section like the student's.
        var model = !keys.TryGetValue("model", out var m) ? null
            : IsModelSpec(m) ? new ModelSection("model", ParseModelSpec(m), training)
            : ParseSection(m, "model", training);
        var distillation = keys.TryGetValue("distillation", out var kd) ? ParseDistillation(kd) : null;

        string paradigm = keys.TryGetValue("paradigm", out var p) ? p.Choice([.. Paradigms])
            : distillation is not null || (teachers.Count > 0 && student is not null) ? "distillation" : "supervised";
        var names = teachers.Select(x => x.Name).Concat(student is null ? [] : [student.Name]).Concat(model is null ? [] : [model.Name]).ToList();
        var duplicate = names.GroupBy(x => x).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new RecipeException($"two models are named '{duplicate.Key}'; give each a different name.", file, root.Line, 1);
        switch (paradigm)
        {
            case "distillation":
                if (teachers.Count == 0) throw Missing(file, "a distillation recipe needs a 'teacher' (or 'teachers') section.");
                if (student is null) throw Missing(file, "a distillation recipe needs a 'student' section.");
                if (model is not null) throw keys["model"].Error("a distillation recipe has 'teacher' and 'student', not 'model'.");
                distillation ??= new DistillationSpec();
                break;
            case "supervised":
                if (model is null && student is null) throw Missing(file, "a supervised recipe needs a 'model' section.");
                if (distillation is not null) throw keys["distillation"].Error("a supervised recipe has no distillation; set 'paradigm: distillation' or remove this section.");
                break;
        }
        var outputs = names.Count == 0 ? [] : teachers.Concat(student is null ? [] : [student]).Concat(model is null ? [] : [model]).ToList();
        foreach (var section in outputs)
            if (section.Model.OutputShape.Count != 1)
                throw Missing(file, $"model '{section.Name}' ends with shape [{string.Join(", ", section.Model.OutputShape)}]; a classifier must end with one value per class (add flatten and linear).");
        if (paradigm == "distillation")
        {
            int classes = student!.Model.OutputShape[0];
            foreach (var te in teachers)
                if (te.Model.OutputShape[0] != classes)
                    throw Missing(file, $"teacher '{te.Name}' has {te.Model.OutputShape[0]} outputs but student '{student.Name}' has {classes}; they must match.");
        }
        var sections = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (key, parse) in extraSections)
            if (keys.TryGetValue(key, out var node)) sections[key] = parse(node);
        var recipe = new Recipe(name, paradigm, seed, data, training, teachers, student, model, distillation)
        {
            Description = keys.TryGetValue("description", out var desc) ? desc.String() : null,
            Source = yaml,
            File = file,
            Sections = sections,
        };
        if (extraParadigms.TryGetValue(paradigm, out var validate) && validate?.Invoke(recipe) is { } problem)
            throw new RecipeException($"paradigm {paradigm}: {problem}", file, keys.TryGetValue("paradigm", out var pn) ? pn.Line : 0, 1);
        return recipe;
    }

    /// <summary>
    /// Reads a model file (for `feynman eval --model`): either a document with a <c>model:</c> key or the
    /// model mapping itself (<c>input</c> and <c>layers</c>).
    /// </summary>
    public static ModelSpec ParseModel(string yaml, string? file = null)
    {
        var root = Root(yaml, file);
        return IsModelSpec(root) ? ParseModelSpec(root) : ParseModelSpec(root.Mapping(["model"])["model"]);
    }

    private static bool IsModelSpec(RecipeNode c) =>
        c.Node is YamlMappingNode map && map.Children.Keys.OfType<YamlScalarNode>().Any(k => k.Value is "input" or "layers");

    public static ModelSpec LoadModel(string path)
    {
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"model file {path} does not exist.", path);
        return ParseModel(System.IO.File.ReadAllText(path), path);
    }

    // ---------------------------------------------------------------- sections

    private static RecipeNode Root(string yaml, string? file)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException ex)
        {
            throw new RecipeException($"not valid YAML: {ex.InnerException?.Message ?? ex.Message}", file, (int)ex.Start.Line, (int)ex.Start.Column);
        }
        if (stream.Documents.Count == 0) throw new RecipeException("the file is empty.", file, 0, 0);
        if (stream.Documents.Count > 1) throw new RecipeException("expected one YAML document, found several (---).", file, (int)stream.Documents[1].RootNode.Start.Line, 1);
        return new RecipeNode(stream.Documents[0].RootNode, "", file);
    }

    private static RecipeException Missing(string? file, string reason) => new(reason, file, 0, 0);

    private static DataSpec ParseData(RecipeNode c)
    {
        var keys = c.Mapping(DataKeys);
        var spec = new DataSpec();
        if (keys.TryGetValue("train", out var tr)) spec = spec with { Train = Source(tr) };
        if (keys.TryGetValue("test", out var te)) spec = spec with { Test = Source(te) };
        if (keys.TryGetValue("validation", out var v)) spec = spec with { Validation = v.Double(0, 1) };
        if (spec.Validation >= 1) throw keys["validation"].Error("the validation share must be below 1 (it is a fraction of the training source).");
        if (keys.TryGetValue("stratified", out var s)) spec = spec with { Stratified = s.Bool() };
        if (keys.TryGetValue("train_size", out var ts)) spec = spec with { TrainSize = ts.Int(1, int.MaxValue) };
        if (keys.TryGetValue("augment", out var a)) spec = spec with { Augment = ParseAugment(a) };
        return spec;
    }

    private static AugmentSpec ParseAugment(RecipeNode a)
    {
        var ak = a.Mapping(AugmentKeys);
        return new AugmentSpec(
            ak.TryGetValue("crop_padding", out var cp) ? cp.Int(0, 64) : 0,
            ak.TryGetValue("horizontal_flip", out var hf) && hf.Bool());
    }

    private static string Source(RecipeNode c)
    {
        string name = c.String();
        if (!DataSources.Names.Contains(name))
            throw c.Error($"unknown data source '{name}'; known sources: {string.Join(", ", DataSources.Names.Order())}.");
        return name;
    }

    private static TrainingSpec ParseTraining(RecipeNode c, TrainingSpec baseline)
    {
        var keys = c.Mapping(TrainingKeys);
        var spec = baseline;
        if (keys.TryGetValue("epochs", out var e)) spec = spec with { Epochs = e.Int(1, 100_000) };
        if (keys.TryGetValue("batch_size", out var b)) spec = spec with { BatchSize = b.Int(1, 1 << 20) };
        if (keys.TryGetValue("optimizer", out var o)) spec = spec with { Optimizer = ParseOptimizer(o, spec.Optimizer) };
        if (keys.TryGetValue("schedule", out var s)) spec = spec with { Schedule = s.Choice("constant", "cosine") };
        if (keys.TryGetValue("warmup_epochs", out var w)) spec = spec with { WarmupEpochs = w.Int(0, 100_000) };
        if (keys.TryGetValue("clip_grad_norm", out var g)) spec = spec with { ClipGradNorm = g.IsNull ? null : g.Double(0, minExclusive: true) };
        if (keys.TryGetValue("label_smoothing", out var ls)) spec = spec with { LabelSmoothing = ls.Double(0, 1) };
        if (keys.TryGetValue("augment", out var au)) spec = spec with { Augment = au.IsNull ? AugmentSpec.None : ParseAugment(au) };
        if (keys.TryGetValue("early_stopping", out var es))
        {
            if (es.IsNull) spec = spec with { EarlyStopping = null };
            else
            {
                var ek = es.Mapping(EarlyStoppingKeys);
                if (!ek.TryGetValue("patience", out var pat)) throw es.Error("early_stopping needs 'patience' (epochs without improvement before stopping).");
                spec = spec with
                {
                    EarlyStopping = new EarlyStoppingSpec(pat.Int(1, 100_000),
                        ek.TryGetValue("metric", out var met) ? met.Choice("val_loss", "val_accuracy") : "val_loss",
                        ek.TryGetValue("min_delta", out var md) ? md.Double(0) : 0),
                };
            }
        }
        if (spec.WarmupEpochs >= spec.Epochs && spec.WarmupEpochs > 0)
            throw c.Error($"warmup_epochs ({spec.WarmupEpochs}) must be fewer than epochs ({spec.Epochs}).");
        return spec;
    }

    private static OptimizerSpec ParseOptimizer(RecipeNode c, OptimizerSpec baseline)
    {
        string[] names = ["sgd", "adam", "adamw"];
        if (c.IsScalar)
        {
            string only = c.Choice(names);
            return only == baseline.Name ? baseline : OptimizerSpec.Defaults(only);
        }
        var keys = c.Mapping(OptimizerKeys);
        var spec = baseline;
        if (keys.TryGetValue("name", out var n))
        {
            string name = n.Choice(names);
            if (name != baseline.Name) spec = OptimizerSpec.Defaults(name);
        }
        if (keys.TryGetValue("lr", out var lr)) spec = spec with { LearningRate = lr.Double(0, minExclusive: true) };
        if (keys.TryGetValue("weight_decay", out var wd)) spec = spec with { WeightDecay = wd.Double(0) };
        if (keys.TryGetValue("momentum", out var m))
        {
            if (spec.Name != "sgd") throw m.Error($"momentum is an SGD setting; {spec.Name} has betas.");
            spec = spec with { Momentum = m.Double(0, 1) };
        }
        if (keys.TryGetValue("nesterov", out var nv))
        {
            if (spec.Name != "sgd") throw nv.Error($"nesterov is an SGD setting, not {spec.Name}'s.");
            spec = spec with { Nesterov = nv.Bool() };
        }
        if (keys.TryGetValue("betas", out var betas))
        {
            if (spec.Name == "sgd") throw betas.Error("betas are an Adam/AdamW setting; SGD has momentum.");
            var pair = betas.Sequence();
            if (pair.Count != 2) throw betas.Error($"betas is a list of two numbers, got {pair.Count}.");
            spec = spec with { Beta1 = pair[0].Double(0, 1), Beta2 = pair[1].Double(0, 1) };
        }
        if (keys.TryGetValue("eps", out var eps))
        {
            if (spec.Name == "sgd") throw eps.Error("eps is an Adam/AdamW setting.");
            spec = spec with { Eps = eps.Double(0, minExclusive: true) };
        }
        if (spec.Nesterov && spec.Momentum == 0) throw c.Error("nesterov needs a momentum above 0 (as in PyTorch).");
        return spec;
    }

    private static ModelSection ParseSection(RecipeNode c, string defaultName, TrainingSpec training)
    {
        var keys = c.Mapping(SectionKeys);
        if (!keys.TryGetValue("model", out var model)) throw c.Error("this section needs a 'model' (input and layers).");
        return new ModelSection(
            keys.TryGetValue("name", out var n) ? n.String() : defaultName,
            ParseModelSpec(model),
            keys.TryGetValue("training", out var t) ? ParseTraining(t, training) : training,
            keys.TryGetValue("weights", out var w) ? w.String() : null);
    }

    private static DistillationSpec ParseDistillation(RecipeNode c)
    {
        var keys = c.Mapping(DistillationKeys);
        var spec = new DistillationSpec();
        if (keys.TryGetValue("temperature", out var t)) spec = spec with { Temperature = t.Double(0, minExclusive: true) };
        if (keys.TryGetValue("alpha", out var a)) spec = spec with { Alpha = a.Double(0, 1) };
        if (keys.TryGetValue("baseline", out var b)) spec = spec with { Baseline = b.Bool() };
        return spec;
    }

    private static ModelSpec ParseModelSpec(RecipeNode c)
    {
        var keys = c.Mapping(["input", "layers"]);
        if (!keys.TryGetValue("input", out var input)) throw c.Error("a model needs 'input', the shape of one sample, e.g. [1, 28, 28].");
        if (!keys.TryGetValue("layers", out var layers)) throw c.Error("a model needs 'layers', a list such as [flatten, {linear: 10}].");
        var shape = input.Sequence().Select(d => d.Int(1, 1 << 24)).ToArray();
        if (shape.Length is not (1 or 3)) throw input.Error($"input is [C, H, W] for images or [F] for feature vectors, got {shape.Length} dimensions.");
        return LayerResolver.Resolve(shape, layers);
    }
}

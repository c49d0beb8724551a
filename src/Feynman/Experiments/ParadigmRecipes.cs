using Feynman.Training.Recipes;

namespace Feynman.Experiments;

/// <summary>
/// Registers the recipe sections and paradigm names of weak-to-strong, self-training, Meta Pseudo Labels
/// and pre-training with <see cref="RecipeParser"/> (idempotent; call before parsing such a recipe).
/// </summary>
public static class ParadigmRecipes
{
    public const string WeakToStrong = "weak-to-strong";
    public const string SelfTraining = "self-training";
    public const string Mpl = "mpl";
    public const string Pretrain = "pretrain";

    private static readonly Lazy<bool> Registered = new(RegisterOnce);

    public static void Register() => _ = Registered.Value;

    private static bool RegisterOnce()
    {
        RecipeParser.RegisterSection("weak_to_strong", ParseWeakToStrong);
        RecipeParser.RegisterSection("self_training", ParseSelfTraining);
        RecipeParser.RegisterSection("mpl", ParseMpl);
        RecipeParser.RegisterSection("pretrain", ParsePretrain);
        RecipeParser.RegisterParadigm(WeakToStrong, r =>
            r.Teachers.Count != 1 ? "needs one 'teacher' (the weak model)." : r.Student is null ? "needs a 'student' (the strong model)." : null);
        RecipeParser.RegisterParadigm(SelfTraining, r =>
            r.Student is null ? "needs a 'student' (the noised student; 'teacher' is optional, the first teacher's architecture)." : r.Teachers.Count > 1 ? "takes at most one 'teacher'." : null);
        RecipeParser.RegisterParadigm(Mpl, r =>
            r.Teachers.Count != 1 ? "needs one 'teacher'." : r.Student is null ? "needs a 'student'." : null);
        RecipeParser.RegisterParadigm(Pretrain, r =>
            r.Model is null ? "needs a 'model' (the classifier whose first layers are the trunk)." : r.Section<PretrainSpec>("pretrain") is null ? "needs a 'pretrain' section." : null);
        return true;
    }

    private static WeakToStrongSpec ParseWeakToStrong(RecipeNode c)
    {
        var k = c.Mapping(["methods", "split_seed", "weak_labels", "alpha", "warmup", "temperature", "tau", "pretrain", "weak_labels_epochs", "freeze_trunk"]);
        var methods = k.TryGetValue("methods", out var m) ? m.Sequence().Select(x => x.Choice(WeakToStrongSpec.AllMethods)).ToArray() : WeakToStrongSpec.AllMethods;
        if (methods.Length == 0) throw m.Error("the list of methods is empty.");
        bool freeze = k.TryGetValue("freeze_trunk", out var f) && f.Bool();
        if (freeze && !k.ContainsKey("pretrain")) throw f!.Error("freeze_trunk needs a 'pretrain' section (the trunk to freeze).");
        return new WeakToStrongSpec(methods,
            k.TryGetValue("split_seed", out var s) ? s.UInt64() : 1,
            k.TryGetValue("weak_labels", out var wl) ? wl.Int(0) : 0,
            k.TryGetValue("alpha", out var a) ? a.Double(0, 1) : 0.75,
            k.TryGetValue("warmup", out var w) ? w.Double(0, 1) : 0.2,
            k.TryGetValue("temperature", out var t) ? t.Double(0, minExclusive: true) : 1,
            k.TryGetValue("tau", out var tau) ? tau.Double(0, minExclusive: true) : 1,
            k.TryGetValue("pretrain", out var p) ? ParsePretrain(p) : null,
            k.TryGetValue("weak_labels_epochs", out var we) ? we.Int(1) : null,
            freeze);
    }

    private static SelfTrainingSpec ParseSelfTraining(RecipeNode c)
    {
        var k = c.Mapping(["labels", "rounds", "threshold", "balance", "max_per_class", "labelled_copies"]);
        var d = new SelfTrainingSpec();
        return new SelfTrainingSpec(
            k.TryGetValue("labels", out var l) ? l.Int(1) : d.Labels,
            k.TryGetValue("rounds", out var r) ? r.Int(1, 100) : d.Rounds,
            k.TryGetValue("threshold", out var t) ? t.Double(0, 1) : d.Threshold,
            k.TryGetValue("balance", out var b) ? b.Bool() : d.Balance,
            k.TryGetValue("max_per_class", out var m) ? m.Int(0) : d.MaxPerClass,
            k.TryGetValue("labelled_copies", out var lc) ? lc.Int(1) : d.LabelledCopies);
    }

    private static MplSpec ParseMpl(RecipeNode c)
    {
        var k = c.Mapping(["labels", "steps", "labelled_batch", "unlabelled_batch", "teacher_lr", "student_lr", "baseline_decay", "supervised_weight", "finetune_epochs", "teacher_from_labels"]);
        var d = new MplSpec();
        return new MplSpec(
            k.TryGetValue("labels", out var l) ? l.Int(1) : d.Labels,
            k.TryGetValue("steps", out var s) ? s.Int(1) : d.Steps,
            k.TryGetValue("labelled_batch", out var lb) ? lb.Int(1) : d.LabelledBatch,
            k.TryGetValue("unlabelled_batch", out var ub) ? ub.Int(1) : d.UnlabelledBatch,
            k.TryGetValue("teacher_lr", out var tl) ? tl.Double(0, minExclusive: true) : d.TeacherLr,
            k.TryGetValue("student_lr", out var sl) ? sl.Double(0, minExclusive: true) : d.StudentLr,
            k.TryGetValue("baseline_decay", out var bd) ? bd.Double(0, 1) : d.BaselineDecay,
            k.TryGetValue("supervised_weight", out var sw) ? sw.Double(0) : d.SupervisedWeight,
            k.TryGetValue("finetune_epochs", out var fe) ? fe.Int(0) : d.FinetuneEpochs,
            k.TryGetValue("teacher_from_labels", out var tf) ? tf.Bool() : d.TeacherFromLabels);
    }

    private static PretrainSpec ParsePretrain(RecipeNode c)
    {
        var k = c.Mapping(["trunk_layers", "noise", "epochs", "lr", "labels", "batch_size", "objective", "temperature", "crop_scale", "projection", "images", "weights"]);
        if (!k.TryGetValue("trunk_layers", out var tl)) throw c.Error("pretrain needs 'trunk_layers', how many of the model's first layers form the trunk.");
        var d = new PretrainSpec(1);
        string objective = k.TryGetValue("objective", out var o) ? o.Choice(PretrainSpec.Objectives) : d.Objective;
        if (objective == PretrainSpec.Denoising)
            foreach (var key in new[] { "temperature", "crop_scale", "projection" })
                if (k.TryGetValue(key, out var unused)) throw unused.Error($"'{key}' belongs to the contrastive objective; this pretrain section is 'denoising'.");
        if (objective == PretrainSpec.Contrastive && k.TryGetValue("noise", out var noise)) throw noise.Error("'noise' belongs to the denoising objective; this pretrain section is 'contrastive'.");
        return new PretrainSpec(tl.Int(1),
            k.TryGetValue("noise", out var n) ? n.Double(0) : d.Noise,
            k.TryGetValue("epochs", out var e) ? e.Int(1) : d.Epochs,
            k.TryGetValue("lr", out var lr) ? lr.Double(0, minExclusive: true) : d.LearningRate,
            k.TryGetValue("labels", out var l) ? l.Int(1) : d.Labels,
            k.TryGetValue("batch_size", out var b) ? b.Int(2) : d.BatchSize,
            objective,
            k.TryGetValue("temperature", out var t) ? t.Double(0, minExclusive: true) : d.Temperature,
            k.TryGetValue("crop_scale", out var cs) ? cs.Double(0, 1, minExclusive: true) : d.CropScale,
            k.TryGetValue("projection", out var pr) ? pr.Int(1) : d.Projection,
            k.TryGetValue("images", out var im) ? im.Int(0) : d.Images,
            k.TryGetValue("weights", out var wt) ? wt.String() : null);
    }
}

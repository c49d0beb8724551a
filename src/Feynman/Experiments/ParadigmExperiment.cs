using Feynman.Data;
using Feynman.Nn;
using Feynman.Paradigms;
using Feynman.Serialization;
using Feynman.Tensors;
using Feynman.Tracking;
using Feynman.Training;
using Feynman.Training.Recipes;

namespace Feynman.Experiments;

/// <summary>
/// Runs the recipes of the paradigms beyond distillation for <see cref="ExperimentRunner"/>: weak-to-strong,
/// self-training, Meta Pseudo Labels and pre-training. Models trained by the shared loop go through the
/// runner's TrainAndMeasure; those of the paradigms' own loops are measured here the same way. Derived
/// numbers (PGR, accuracy per round, ...) go to <see cref="ExperimentResult.Metrics"/>, the run's metrics and notes.
/// </summary>
internal sealed class ParadigmExperiment(ExperimentRunner runner, Recipe recipe, ulong seed, IDataset train, IDataset? validation, IDataset test,
                                         ExperimentResult result, Run? run, CancellationToken ct)
{
    private string OutDir => Path.GetFullPath(runner.Settings.OutputDirectory);

    /// <summary>Runs the recipe's paradigm; true when interrupted.</summary>
    public bool Run() => recipe.Paradigm switch
    {
        ParadigmRecipes.WeakToStrong => RunWeakToStrong(recipe.Section<WeakToStrongSpec>("weak_to_strong") ?? new WeakToStrongSpec(WeakToStrongSpec.AllMethods)),
        ParadigmRecipes.SelfTraining => RunSelfTraining(recipe.Section<SelfTrainingSpec>("self_training") ?? new SelfTrainingSpec(), null),
        ParadigmRecipes.Mpl => RunMpl(recipe.Section<MplSpec>("mpl") ?? new MplSpec()),
        ParadigmRecipes.Pretrain => RunPretrain(recipe.Section<PretrainSpec>("pretrain")!),
        _ => throw new NotSupportedException($"paradigm '{recipe.Paradigm}' is not one of this runner's."),
    };

    private void Metric(string key, double value)
    {
        result.Metrics[key] = value;
        run?.LogMetric(key, value);
    }

    /// <summary>A seeded split of <paramref name="data"/>: <paramref name="count"/> samples, and the rest.</summary>
    private (Subset Taken, Subset Others) Take(IDataset data, int count, ulong splitSeed, string what)
    {
        if (count >= data.Count)
        {
            int half = data.Count / 2;
            runner.Log($"{what}: {count} labels asked but the training set has {data.Count}; using {half}");
            count = half;
        }
        var perm = new Generator(splitSeed).Permutation(data.Count);
        return (new Subset(data, perm[..count], $"{data.Name}[{count} labelled]"), new Subset(data, perm[count..], $"{data.Name}[{data.Count - count} rest]"));
    }

    // ---------------------------------------------------------------- pre-training

    /// <summary>Pre-trains the trunk of <paramref name="section"/>'s model; returns the trunk's safetensors path.</summary>
    private string PretrainTrunk(ModelSection section, PretrainSpec spec, IDataset images)
    {
        if (spec.Weights is { } given)
        {
            string loaded = Path.GetFullPath(given);
            if (!File.Exists(loaded)) throw new FileNotFoundException($"pretrain weights '{given}' (the trunk to load instead of pre-training) do not exist.", loaded);
            runner.Log($"the trunk of {section.Name}: loading {loaded} (not pre-trained in this run)");
            result.Notes.Add($"The trunk of {section.Name} was loaded from {loaded}, not pre-trained in this run.");
            return loaded;
        }
        var net = ModelBuilder.Build(section.Model, new Generator(seed * 7919 + 500));
        var trunk = TransferLearning.Trunk(net, spec.TrunkLayers);
        int features = DenoisingPretraining.OutputFeatures(trunk, images.SampleShape);
        if (spec.Images > 0 && spec.Images < images.Count)
            images = new Subset(images, new Generator(seed * 7919 + 502).Permutation(images.Count)[..spec.Images], $"{images.Name}[{spec.Images} for pre-training]");
        var options = new TrainingOptions
        {
            Epochs = runner.Settings.Epochs ?? spec.Epochs, BatchSize = spec.BatchSize, Optimizer = "adam", LearningRate = spec.LearningRate,
            WeightDecay = 0, Seed = seed,
        };
        IReadOnlyList<double> losses;
        string lossName;
        if (spec.Objective == PretrainSpec.Contrastive)
        {
            var head = ContrastivePretraining.ProjectionHead(features, 256, spec.Projection, new Generator(seed * 7919 + 501));
            runner.Log($"pre-training the trunk of {section.Name} (first {spec.TrunkLayers} layers, {features} features) by contrast (SimCLR, τ = {spec.Temperature}) on {images.Count} unlabelled images");
            losses = new ContrastivePretraining((float)spec.Temperature, ContrastivePretraining.DefaultAugmentations(spec.CropScale), options)
                .Fit(trunk, head, images, runner.Settings.Progress, ct);
            lossName = "contrastive_loss";
        }
        else
        {
            var decoder = DenoisingPretraining.Decoder(features, images.SampleSize, new Generator(seed * 7919 + 501));
            runner.Log($"pre-training the trunk of {section.Name} (first {spec.TrunkLayers} layers, {features} features) as a denoising autoencoder on {images.Count} unlabelled images");
            losses = new DenoisingPretraining((float)spec.Noise, options).Fit(trunk, decoder, images, runner.Settings.Progress, ct);
            lossName = "reconstruction_loss";
        }
        for (int e = 0; e < losses.Count; e++) run?.LogEpoch(section.Name + "-pretrain", e + 1, new Dictionary<string, double> { [lossName] = losses[e] });
        if (losses.Count > 0)
        {
            Metric($"pretrain/{lossName}_first", losses[0]);
            Metric($"pretrain/{lossName}_last", losses[^1]);
            result.Notes.Add($"{(spec.Objective == PretrainSpec.Contrastive ? "Contrastive" : "Denoising")} pre-training of {section.Name}'s trunk: " +
                             $"{lossName.Replace('_', ' ')} {losses[0]:F4} after the first epoch, {losses[^1]:F4} after the last.");
        }
        var path = Path.Combine(OutDir, section.Name + "-trunk.safetensors");
        trunk.Save(path);
        run?.AddArtifact("trunk", path);
        return path;
    }

    private bool RunPretrain(PretrainSpec spec)
    {
        var section = recipe.Model!;
        var trunkPath = PretrainTrunk(section, spec, train);
        if (ct.IsCancellationRequested) return true;
        var (labelled, _) = Take(train, spec.Labels, seed + 17, "pretrain");
        var sup = new SupervisedLesson((float)section.Training.LabelSmoothing);
        if (!runner.TrainAndMeasure(section with { Name = section.Name + "-scratch" }, "from scratch", 0, sup, seed, labelled, validation, test, result, run, ct, out _))
            return true;
        if (!runner.TrainAndMeasure(section with { Name = section.Name + "-finetuned" }, "pre-trained, fine-tuned", 0, sup, seed, labelled, validation, test, result, run, ct, out _,
                net => net.Load(trunkPath, strict: false)))
            return true;
        if (!runner.TrainAndMeasure(section with { Name = section.Name + "-probe" }, "pre-trained, linear probe", 0, sup, seed, labelled, validation, test, result, run, ct, out _,
                net => { net.Load(trunkPath, strict: false); TransferLearning.Freeze(net, spec.TrunkLayers); }))
            return true;
        double scratch = result.ByRole("from scratch")!.TestAccuracy, fine = result.ByRole("pre-trained, fine-tuned")!.TestAccuracy, probe = result.ByRole("pre-trained, linear probe")!.TestAccuracy;
        Metric("scratch_accuracy", scratch);
        Metric("finetuned_accuracy", fine);
        Metric("probe_accuracy", probe);
        result.Notes.Add($"With {labelled.Count} labels: from scratch {scratch:P2}, pre-trained and fine-tuned {fine:P2} ({(fine - scratch) * 100:+0.00;-0.00} points), linear probe on the frozen trunk {probe:P2}.");
        return false;
    }

    // ---------------------------------------------------------------- weak-to-strong

    private bool RunWeakToStrong(WeakToStrongSpec spec)
    {
        var weakSection = recipe.Teachers[0];
        var strong = recipe.Student!;
        int classes = train.ClassNames.Count;
        int half = train.Count / 2;
        var perm = new Generator(spec.SplitSeed).Permutation(train.Count);
        var half1 = new Subset(train, perm[..half], $"{train.Name}[half 1]");
        var half2 = new Subset(train, perm[half..], $"{train.Name}[half 2]");
        string? trunkPath = spec.Pretrain is { } pre ? PretrainTrunk(strong, pre, train) : null;
        if (ct.IsCancellationRequested) return true;
        Action<Sequential>? init = trunkPath is null ? null : net =>
        {
            net.Load(trunkPath, strict: false);
            if (spec.FreezeTrunk) TransferLearning.Freeze(net, spec.Pretrain!.TrunkLayers);
        };
        // A frozen trunk computes the same features every epoch: compute them once, and let the strong models that
        // see only clean images (all but AugConf, whose views must pass through the trunk) train the layers after it.
        var (headSection, half2Features, validationFeatures, testFeatures) = (strong, (IDataset)half2, validation, test);
        if (trunkPath is not null && spec.FreezeTrunk)
        {
            int layers = spec.Pretrain!.TrunkLayers;
            var full = ModelBuilder.Build(strong.Model, new Generator(seed * 7919 + 503));
            full.Load(trunkPath, strict: false);
            var trunk = TransferLearning.Trunk(full, layers);
            runner.Log($"features of the frozen trunk for {half2.Count} + {test.Count} images");
            half2Features = TransferLearning.Features(trunk, half2);
            testFeatures = TransferLearning.Features(trunk, test);
            validationFeatures = validation is null ? null : TransferLearning.Features(trunk, validation);
            headSection = strong with { Model = new ModelSpec(strong.Model.Layers[layers - 1].OutputShape, strong.Model.Layers.Skip(layers).ToList()) };
        }
        bool onFeatures = !ReferenceEquals(headSection, strong);

        var weakModels = new List<(string Name, Module Model)>();
        if (!runner.TrainAndMeasure(weakSection, "weak", 1, new SupervisedLesson(), seed, half1, validation, test, result, run, ct, out var weak)) return true;
        weakModels.Add((weakSection.Name, weak));
        if (spec.WeakLabels > 0)
        {
            var few = new Subset(half1, Enumerable.Range(0, Math.Min(spec.WeakLabels, half1.Count)).ToArray(), $"{half1.Name}[:{spec.WeakLabels}]");
            var name = $"{weakSection.Name}-{few.Count}labels";
            var fewTraining = spec.WeakLabelsEpochs is int e ? weakSection.Training with { Epochs = e } : weakSection.Training;
            if (!runner.TrainAndMeasure(weakSection with { Name = name, Training = fewTraining }, $"weak ({few.Count} labels)", 2, new SupervisedLesson(), seed, few, validation, test, result, run, ct, out var weak2)) return true;
            weakModels.Add((name, weak2));
        }
        if (!(onFeatures
                ? runner.TrainAndMeasure(headSection with { Name = strong.Name + "-ceiling" }, "strong ceiling", 100, new SupervisedLesson(), seed, half2Features, validationFeatures, testFeatures, result, run, ct, out _)
                : runner.TrainAndMeasure(strong with { Name = strong.Name + "-ceiling" }, "strong ceiling", 100, new SupervisedLesson(), seed, half2, validation, test, result, run, ct, out _, init)))
            return true;
        double ceiling = result.ByRole("strong ceiling")!.TestAccuracy;
        Metric("ceiling_accuracy", ceiling);

        foreach (var (weakName, weakModel) in weakModels)
        {
            double weakAcc = result.Models.First(m => m.Name == weakName).TestAccuracy;
            Metric($"{weakName}/weak_accuracy", weakAcc);
            // The weak labels: the weak model's predictions on the clean half-2 images, computed once.
            runner.Log($"weak labels of {weakName} on {half2.Count} images");
            var weakLabels = CachedTeacher.Build(new ModelTeacher(weakName, weakModel, classes), half2, 1f);
            var best = (Method: "", Pgr: double.NegativeInfinity);
            foreach (var method in spec.Methods)
            {
                var slot = new ModuleSlot();
                ILesson lesson = method switch
                {
                    "soft" => new WeakSoftLabelLesson(weakLabels),
                    "hard" => new WeakHardLabelLesson(weakLabels),
                    "confidence" => new ConfidenceLesson(weakLabels, (float)spec.Alpha, (float)spec.Warmup),
                    "augconf" => new AugmentedConfidenceLesson(weakLabels, slot, [new RandomCrop(2), new RandomHorizontalFlip()], (float)spec.Alpha, (float)spec.Warmup, seed),
                    "adaptconf" => new AdaptiveConfidenceLesson(weakLabels, (float)spec.Temperature, (float)spec.Tau),
                    _ => throw new NotSupportedException($"weak-to-strong method '{method}'."),
                };
                string name = $"{strong.Name}-{method}-from-{weakName}";
                bool trained = onFeatures && method != "augconf"
                    ? runner.TrainAndMeasure(headSection with { Name = name }, $"w2s {method} ({weakName})", 100, lesson, seed, half2Features, validationFeatures, testFeatures, result, run, ct, out _)
                    : runner.TrainAndMeasure(strong with { Name = name }, $"w2s {method} ({weakName})", 100, lesson, seed, half2, validation, test, result, run, ct, out _,
                        net => { init?.Invoke(net); slot.Target = net; });
                if (!trained) return true;
                double acc = result.Models[^1].TestAccuracy;
                double pgr = PerformanceGap.Recovered(weakAcc, ceiling, acc);
                Metric($"{weakName}/{method}/accuracy", acc);
                Metric($"{weakName}/{method}/pgr", pgr);
                if (pgr > best.Pgr) best = (method, pgr);
            }
            result.Notes.Add($"Weak {weakName} {weakAcc:P2}, strong ceiling {ceiling:P2}: " +
                string.Join(", ", spec.Methods.Select(m => $"{m} {result.Metrics[$"{weakName}/{m}/accuracy"]:P2} (PGR {result.Metrics[$"{weakName}/{m}/pgr"]:F2})")) +
                (double.IsFinite(best.Pgr) ? $"; best: {best.Method}." : "; the ceiling is not above the weak model, so PGR is undefined."));
        }
        return false;
    }

    /// <summary>Forwards to a model built later (AugConf's lesson needs the student the runner builds); owns no parameters.</summary>
    private sealed class ModuleSlot : Module
    {
        public Module? Target { get; set; }

        public override Tensor Forward(Tensor x) => (Target ?? throw new InvalidOperationException("the student is not built yet.")).Forward(x);
    }

    // ---------------------------------------------------------------- self-training

    private bool RunSelfTraining(SelfTrainingSpec spec, (Subset Labelled, Subset Pool)? split)
    {
        var student = recipe.Student!;
        var first = recipe.Teachers.Count > 0 ? recipe.Teachers[0] : student;
        var (labelled, pool) = split ?? Take(train, spec.Labels, seed + 17, "self-training");
        var teacherOptions = runner.Options(first.Training, seed, "") with { CheckpointDirectory = null };
        var studentOptions = runner.Options(student.Training, seed, "") with { CheckpointDirectory = null };
        var options = new SelfTrainingOptions { Rounds = spec.Rounds, Threshold = (float)spec.Threshold, Balance = spec.Balance, MaxPerClass = spec.MaxPerClass, LabelledCopies = spec.LabelledCopies };
        runner.Log($"self-training: {labelled.Count} labelled, {pool.Count} unlabelled, {spec.Rounds} rounds");
        var st = new SelfTraining(options, teacherOptions, studentOptions).Run(
            (round, rng) => ModelBuilder.Build((round == 0 ? first : student).Model, rng),
            labelled, pool, validation, test, seed, runner.Settings.Progress, run,
            (round, model) =>
            {
                string name = round.Round == 0 ? $"{first.Name}-labels" : $"{student.Name}-round{round.Round}";
                Measure(model, name, round.Round == 0 ? "labels only" : $"self-training round {round.Round}", round.Training);
                Metric($"self_training/round{round.Round}/accuracy", round.TestAccuracy);
                if (round.Round > 0)
                {
                    Metric($"self_training/round{round.Round}/pseudo_labels", round.PseudoLabels);
                    Metric($"self_training/round{round.Round}/pseudo_label_accuracy", round.PseudoLabelAccuracy);
                }
                runner.Log($"self-training round {round.Round}: {round.PseudoLabels} pseudo-labels ({round.PseudoLabelAccuracy:P1} right), test {round.TestAccuracy:P2}");
                if (round.Round > 0)
                    runner.Log($"self-training round {round.Round}: {round.DistinctPseudoLabelled} distinct pool samples; confident per class [{string.Join(", ", round.ConfidentPerClass)}]");
                if (round.Round > 0 && round.ClassesWithoutPseudoLabels.Count > 0)
                {
                    string which = string.Join(", ", round.ClassesWithoutPseudoLabels.Select(c => labelled.ClassNames[c]));
                    string warning = round.PseudoLabels == 0
                        ? $"self-training round {round.Round}: no pseudo-label passed the threshold {spec.Threshold}; the student learned from the labels alone."
                        : $"self-training round {round.Round}: no pseudo-label for {which} (no pool sample at confidence {spec.Threshold} or more).";
                    runner.Log("warning: " + warning);
                    result.Notes.Add(warning);
                }
            }, ct);
        if (st.Interrupted) return true;
        Metric("self_training/gain", st.FinalAccuracy - st.LabelsOnlyAccuracy);
        result.Notes.Add($"Self-training with {labelled.Count} labels: {string.Join(" → ", st.Rounds.Select(r => r.TestAccuracy.ToString("P2")))} " +
                         $"({(st.FinalAccuracy - st.LabelsOnlyAccuracy) * 100:+0.00;-0.00} points over the labels alone).");
        return false;
    }

    /// <summary>Evaluates a model trained outside the runner's loop and records it like the runner does.</summary>
    private void Measure(Module net, string name, string role, TrainingResult? trained)
    {
        var weightsPath = Path.Combine(OutDir, name + ".safetensors");
        net.Save(weightsPath);
        var eval = Evaluator.Evaluate(net, test);
        double micros = InferenceTimer.MedianMicroseconds(net, test);
        result.Models.Add(new ModelOutcome
        {
            Name = name, Role = role, TestAccuracy = eval.Accuracy, TestLoss = eval.Loss, ExpectedCalibrationError = eval.ExpectedCalibrationError,
            Parameters = net.ParameterCount, MicrosecondsPerSample = micros, TrainingSeconds = trained?.TrainingSeconds ?? 0,
            SamplesPerSecond = trained?.SamplesPerSecond ?? 0, Weights = weightsPath, History = trained?.History ?? [],
            Confusion = eval.Confusion.ToRows(), Reliability = eval.Reliability,
        });
        runner.Log($"{role} {name}: test accuracy {eval.Accuracy:P2}");
        if (eval.Confusion.SinglePredictedClass is int only)
        {
            // Models trained outside the runner (MPL's teacher and student) get the runner's collapse warning too.
            string what = only < test.ClassNames.Count ? $"'{test.ClassNames[only]}'" : $"class {only}";
            string note = $"{name} predicts {what} for every test sample: it has collapsed.";
            runner.Log("warning: " + note);
            result.Notes.Add(note);
        }
        else if (eval.Confusion.DominantPredictedClass(0.9) is int most)
        {
            string what = most < test.ClassNames.Count ? $"'{test.ClassNames[most]}'" : $"class {most}";
            string note = $"{name} predicts {what} for at least 90 % of the test samples: it has nearly collapsed.";
            runner.Log("warning: " + note);
            result.Notes.Add(note);
        }
        if (run != null)
        {
            run.AddArtifact("weights", weightsPath);
            run.LogMetric(MetricKeys.TestAccuracy, eval.Accuracy, name);
            run.LogMetric(MetricKeys.TestLoss, eval.Loss, name);
            run.LogMetric(MetricKeys.Parameters, net.ParameterCount, name);
        }
    }

    // ---------------------------------------------------------------- Meta Pseudo Labels

    /// <summary>Copies every parameter of <paramref name="from"/> into <paramref name="to"/>, in order; the shapes must match.</summary>
    internal static void CopyParameters(Module from, Module to, string what)
    {
        var source = from.Parameters().ToList();
        var target = to.Parameters().ToList();
        if (source.Count != target.Count)
            throw new InvalidDataException($"{what}: the models have {source.Count} and {target.Count} parameter tensors; their layers must match (dropout aside).");
        for (int i = 0; i < source.Count; i++)
        {
            if (!source[i].Shape.SequenceEqual(target[i].Shape))
                throw new InvalidDataException($"{what}: parameter {i} is {source[i].ShapeString} in one model and {target[i].ShapeString} in the other.");
            source[i].Contiguous().ReadOnlySpan.CopyTo(target[i].Span);
        }
    }

    private bool RunMpl(MplSpec spec)
    {
        var teacherSection = recipe.Teachers[0];
        var studentSection = recipe.Student!;
        var split = Take(train, spec.Labels, seed + 17, "mpl");
        var (labelled, pool) = split;
        if (!runner.TrainAndMeasure(studentSection with { Name = studentSection.Name + "-labels" }, "labels only", 100, new SupervisedLesson(), seed, labelled, validation, test, result, run, ct, out var labelsModel))
            return true;
        double labelsOnly = result.ByRole("labels only")!.TestAccuracy;
        Metric("labels_only_accuracy", labelsOnly);

        var teacher = ModelBuilder.Build(teacherSection.Model, new Generator(seed * 7919 + 1));
        if (spec.TeacherFromLabels) CopyParameters(labelsModel, teacher, "mpl.teacher_from_labels");
        var student = ModelBuilder.Build(studentSection.Model, new Generator(seed * 7919 + 100));
        var options = new MetaPseudoLabelsOptions
        {
            Steps = runner.Settings.Epochs is int e ? Math.Max(1, Math.Min(spec.Steps, e * pool.Count / spec.UnlabelledBatch)) : spec.Steps,
            LabelledBatchSize = spec.LabelledBatch, UnlabelledBatchSize = spec.UnlabelledBatch,
            TeacherLearningRate = spec.TeacherLr, StudentLearningRate = spec.StudentLr, BaselineDecay = (float)spec.BaselineDecay,
            SupervisedWeight = (float)spec.SupervisedWeight, FinetuneEpochs = spec.FinetuneEpochs, Seed = seed,
            EvaluateEvery = Math.Max(1, spec.Steps / 10), CropPadding = runner.AugmentationOf(studentSection.Training).CropPadding,
        };
        runner.Log($"meta pseudo labels: {labelled.Count} labelled, {pool.Count} unlabelled, {options.Steps} steps, teacher from {(spec.TeacherFromLabels ? "the labels-only model" : "scratch")}");
        var finetune = runner.Options(studentSection.Training, seed, "") with { CheckpointDirectory = null };
        var mpl = new MetaPseudoLabels(teacher, student, options).Run(labelled, pool, test, finetune, runner.Settings.Progress, run, ct);
        if (mpl.Interrupted) return true;
        var history = mpl.History.Select((h, i) => new EpochRecord(i + 1, double.NaN, double.NaN, double.NaN, h.StudentAccuracy, spec.StudentLr, 0)).ToList();
        Measure(student, studentSection.Name + "-mpl", "mpl student", new TrainingResult(studentSection.Name + "-mpl", history, false, false, 0, mpl.Seconds, 0));
        Measure(teacher, teacherSection.Name + "-mpl", "mpl teacher", null);
        foreach (var h in mpl.History) Metric($"mpl/step{h.Step}/mean_reward", h.MeanReward);
        Metric("mpl_student_accuracy", mpl.StudentAccuracy);
        Metric("mpl_teacher_accuracy", mpl.TeacherAccuracy);
        result.Notes.Add($"Meta Pseudo Labels with {labelled.Count} labels: student {mpl.StudentAccuracy:P2} (teacher {mpl.TeacherAccuracy:P2}); labels alone {labelsOnly:P2}.");
        if (recipe.Section<SelfTrainingSpec>("self_training") is { } st)
        {
            if (RunSelfTraining(st, split)) return true;
            double self = result.Metrics[$"self_training/round{st.Rounds}/accuracy"];
            result.Notes.Add($"Same labels: supervised {labelsOnly:P2}, self-training {self:P2}, MPL {mpl.StudentAccuracy:P2}.");
        }
        return false;
    }
}

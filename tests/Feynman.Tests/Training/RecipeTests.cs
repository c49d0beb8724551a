using Feynman.Training.Recipes;

namespace Feynman.Tests.Training;

public class RecipeTests
{
    private const string Cnn = """
        input: [1, 28, 28]
        layers:
          - conv2d: {out: 32, kernel: 3, padding: 1}
          - batchnorm2d
          - relu
          - maxpool2d: 2
          - conv2d: {out: 64, kernel: 3, padding: 1}
          - relu
          - avgpool2d: 2
          - dropout: 0.25
          - flatten
          - linear: 256
          - batchnorm1d
          - gelu
          - dropout: {p: 0.5}
          - linear: 10
          - tanh
        """;

    [Fact]
    public void ModelShapesParametersAndNamesMatchPyTorch()
    {
        var model = RecipeParser.ParseModel(Cnn);
        // Shapes, state_dict names and parameter count as printed by PyTorch 1.13 for the same nn.Sequential.
        int[][] outputs = [[32, 28, 28], [32, 28, 28], [32, 28, 28], [32, 14, 14], [64, 14, 14], [64, 14, 14], [64, 7, 7], [64, 7, 7], [3136], [256], [256], [256], [256], [10], [10]];
        Assert.Equal(outputs.Length, model.Layers.Count);
        for (int i = 0; i < outputs.Length; i++)
        {
            Assert.Equal(i, model.Layers[i].Index);
            Assert.Equal(outputs[i], model.Layers[i].OutputShape);
            Assert.Equal(i == 0 ? [1, 28, 28] : outputs[i - 1], model.Layers[i].InputShape);
        }
        Assert.Equal(825034, model.ParameterCount);
        (string, int[])[] stateDict =
        [
            ("0.weight", [32, 1, 3, 3]), ("0.bias", [32]), ("1.weight", [32]), ("1.bias", [32]), ("1.running_mean", [32]), ("1.running_var", [32]),
            ("4.weight", [64, 32, 3, 3]), ("4.bias", [64]), ("9.weight", [256, 3136]), ("9.bias", [256]),
            ("10.weight", [256]), ("10.bias", [256]), ("10.running_mean", [256]), ("10.running_var", [256]), ("13.weight", [10, 256]), ("13.bias", [10]),
        ];
        Assert.Equal(stateDict.Select(p => p.Item1), model.StateDict.Select(p => p.Name));
        Assert.Equal(stateDict.Select(p => p.Item2), model.StateDict.Select(p => p.Shape.ToArray()));
        Assert.Equal(3136, model.Layers[9].InFeatures);
        Assert.Equal(32, model.Layers[4].InFeatures);
        Assert.Equal(0.25, model.Layers[7].P);
        Assert.Equal(0.5, model.Layers[12].P);
        Assert.Equal(2, model.Layers[6].Stride);
        Assert.Equal(7, model.Layers[4].Line); // input is line 1, layers line 2, layer 0 line 3
        Assert.Equal("nn.Conv2d(1, 32, kernel_size=3, stride=1, padding=1)", model.Layers[0].ToPyTorch());
        Assert.Equal("nn.Linear(3136, 256)", model.Layers[9].ToPyTorch());
        Assert.Equal("nn.BatchNorm1d(256, eps=1E-05, momentum=0.1)", model.Layers[10].ToPyTorch());
    }

    [Fact]
    public void StridedConvAndPaddedPoolFollowPyTorchArithmetic()
    {
        var model = RecipeParser.ParseModel("""
            model:
              input: [3, 31, 29]
              layers:
                - conv2d: {out: 8, kernel: 5, stride: 2, bias: false}
                - maxpool2d: {kernel: 3, stride: 2, padding: 1}
            """);
        Assert.Equal([8, 14, 13], model.Layers[0].OutputShape);
        Assert.Equal([8, 7, 7], model.OutputShape); // torch: [1, 8, 7, 7]
        Assert.Equal(["0.weight"], model.StateDict.Select(p => p.Name));
        Assert.Equal(8 * 3 * 5 * 5, model.ParameterCount);
    }

    private const string Quickstart = """
        name: quickstart
        description: A CNN teaches an MLP.
        seed: 7
        data:
          train: fashion-mnist:train
          test: fashion-mnist:test
          validation: 0.1
          augment: {crop_padding: 2, horizontal_flip: true}
        training:
          epochs: 8
          batch_size: 128
          optimizer: {name: sgd, lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 5e-4}
          early_stopping: {patience: 3, metric: val_accuracy}
        teacher:
          name: cnn
          training:
            epochs: 12
            optimizer: {lr: 0.02}
          model:
            input: [1, 28, 28]
            layers: [{conv2d: {out: 16, kernel: 3, padding: 1}}, relu, {maxpool2d: 2}, flatten, {linear: 10}]
        student:
          model:
            input: [1, 28, 28]
            layers: [flatten, {linear: 128}, relu, {linear: 10}]
          training:
            optimizer: adamw
        distillation: {temperature: 4, alpha: 0.1}
        """;

    [Fact]
    public void RecipeReadsEverySectionAndMergesTrainingOverrides()
    {
        var r = RecipeParser.Parse(Quickstart, "quickstart.yaml");
        Assert.Equal("quickstart", r.Name);
        Assert.Equal("A CNN teaches an MLP.", r.Description);
        Assert.Equal("distillation", r.Paradigm);
        Assert.Equal(7UL, r.Seed);
        Assert.Equal(new DataSpec("fashion-mnist:train", "fashion-mnist:test", 0.1, true, new AugmentSpec(2, true)), r.Data);
        var teacher = Assert.Single(r.Teachers);
        Assert.Equal("cnn", teacher.Name);
        // The teacher overrides epochs and lr and keeps the rest of the recipe's SGD settings.
        Assert.Equal(12, teacher.Training.Epochs);
        Assert.Equal(128, teacher.Training.BatchSize);
        Assert.Equal(new OptimizerSpec("sgd", 0.02, Momentum: 0.9, Nesterov: true, WeightDecay: 5e-4), teacher.Training.Optimizer);
        Assert.Equal(new EarlyStoppingSpec(3, "val_accuracy"), teacher.Training.EarlyStopping);
        Assert.Equal(16 * 14 * 14, teacher.Model.Layers[4].InFeatures);
        // The student switches optimizer: AdamW with PyTorch's defaults.
        var student = r.Student!;
        Assert.Equal("student", student.Name);
        Assert.Equal(8, student.Training.Epochs);
        Assert.Equal(new OptimizerSpec("adamw", 1e-3, WeightDecay: 0.01), student.Training.Optimizer);
        Assert.Equal(784 * 128 + 128 + 128 * 10 + 10, student.Model.ParameterCount);
        Assert.Equal(new DistillationSpec(4, 0.1, true), r.Distillation);
        Assert.Equal(Quickstart, r.Source);
        var json = r.ToResolvedJson();
        Assert.Contains("\"in_features\": 3136", json);
        Assert.Contains("\"learning_rate\": 0.02", json);
        Assert.DoesNotContain("A CNN teaches an MLP.\\nseed", json); // the source text is not repeated
    }

    [Fact]
    public void DefaultsFillAMinimalSupervisedRecipe()
    {
        var r = RecipeParser.Parse("model: {input: [784], layers: [{linear: 10}]}", "mlp.yaml");
        Assert.Equal("mlp", r.Name);
        Assert.Equal("supervised", r.Paradigm);
        Assert.Equal(new DataSpec(), r.Data);
        Assert.Equal(TrainingSpec.Defaults, r.Model!.Training);
        Assert.Empty(r.Teachers);
        Assert.Null(r.Distillation);
        Assert.Equal(["model"], r.AllModels.Select(m => m.Name));
        // The same model as a section, with its own training settings.
        var section = RecipeParser.Parse("model: {name: mlp, training: {epochs: 2}, model: {input: [784], layers: [{linear: 10}]}}");
        Assert.Equal("mlp", section.Model!.Name);
        Assert.Equal(2, section.Model.Training.Epochs);
        Assert.Equal(r.Model.Model.ParameterCount, section.Model.Model.ParameterCount);
    }

    [Theory]
    // unknown keys: line, key and the allowed keys
    [InlineData("seed: 1\nepochs: 3\nmodel: {input: [4], layers: [{linear: 2}]}", 2, "unknown key 'epochs'", "allowed keys: name, description, paradigm, seed")]
    [InlineData("training:\n  epochs: 3\n  learning_rate: 0.1\n", 3, "training: unknown key 'learning_rate'", "optimizer")]
    [InlineData("model:\n  input: [4]\n  layers:\n    - linear: {out: 2, bais: false}\n", 4, "unknown key 'bais'", "out, bias")]
    [InlineData("training:\n  optimizer: {name: sgd, beta: 0.9}\n", 2, "unknown key 'beta'", "momentum")]
    // wrong values
    [InlineData("seed: -1\n", 1, "seed: expected a non-negative whole number", "'-1'")]
    [InlineData("training:\n  epochs: 0\n", 2, "training.epochs: 0 is out of range", "1..100000")]
    [InlineData("training:\n  optimizer: rmsprop\n", 2, "'rmsprop' is not one of sgd, adam, adamw", "")]
    [InlineData("training:\n  optimizer: {name: adamw, momentum: 0.9}\n", 2, "momentum is an SGD setting", "")]
    [InlineData("data:\n  train: mnist:train\n", 2, "unknown data source 'mnist:train'", "fashion-mnist:test, fashion-mnist:train")]
    [InlineData("distillation: {alpha: 1.5}\n", 1, "distillation.alpha: 1.5 is out of range", "<= 1")]
    [InlineData("seed: [1\n", 2, "not valid YAML", "")]
    public void ErrorsGiveTheLineAndWhatIsAllowed(string yaml, int line, string reason, string allowed)
    {
        var ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse(yaml, "r.yaml"));
        Assert.Equal(line, ex.Line);
        Assert.StartsWith($"r.yaml:{line}:", ex.Message);
        Assert.Contains(reason, ex.Message);
        Assert.Contains(allowed, ex.Message);
    }

    [Theory]
    [InlineData("- conv2d: {out: 8, kernel: 3}\n- linear: 10", 2, "layer 1 (linear, input [8, 26, 26]): linear needs a flat input", "add '- flatten'")]
    [InlineData("- flatten\n- conv2d: {out: 8, kernel: 3}", 2, "conv2d needs an image input [C, H, W] but gets [784]", "")]
    [InlineData("- conv2d: {out: 8, kernel: 29}", 1, "kernel 29 with padding 0 does not fit in 28x28", "")]
    [InlineData("- flatten\n- batchnorm2d", 2, "batchnorm2d normalises channels", "use batchnorm1d")]
    [InlineData("- relu: 3", 1, "relu takes no settings", "")]
    [InlineData("- softmax", 1, "unknown layer 'softmax'", "conv2d, linear, relu, gelu, tanh, maxpool2d, avgpool2d, flatten, dropout, batchnorm2d, batchnorm1d")]
    [InlineData("- conv2d: {kernel: 3}", 1, "conv2d needs 'out'", "")]
    [InlineData("- maxpool2d: {kernel: 2, padding: 2}", 1, "padding 2 must be at most half the kernel size 2", "")]
    [InlineData("- dropout: 1", 1, "dropout p must be below 1", "")]
    [InlineData("- linear", 1, "linear needs its output size", "")]
    public void LayerErrorsSayWhichLayerAndWhy(string layers, int layerLine, string reason, string hint)
    {
        string yaml = "input: [1, 28, 28]\nlayers:\n" + string.Join("\n", layers.Split('\n').Select(l => "  " + l)) + "\n";
        var ex = Assert.Throws<RecipeException>(() => RecipeParser.ParseModel(yaml, "m.yaml"));
        Assert.Equal(layerLine + 2, ex.Line);
        Assert.Contains(reason, ex.Message);
        Assert.Contains(hint, ex.Message);
        Assert.Contains("layers[", ex.Message);
    }

    [Fact]
    public void ParadigmRulesAreChecked()
    {
        var ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse("student: {model: {input: [4], layers: [{linear: 2}]}}\ndistillation: {}\n"));
        Assert.Contains("needs a 'teacher'", ex.Message);
        ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse("""
            teacher: {model: {input: [4], layers: [{linear: 3}]}}
            student: {model: {input: [4], layers: [{linear: 2}]}}
            """));
        Assert.Contains("teacher 'teacher' has 3 outputs but student 'student' has 2", ex.Message);
        ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse("""
            teachers:
              - model: {input: [4], layers: [{linear: 2}]}
              - {name: teacher1, model: {input: [4], layers: [{linear: 2}]}}
            student: {model: {input: [4], layers: [{linear: 2}]}}
            """));
        Assert.Contains("two models are named 'teacher1'", ex.Message);
        var ensemble = RecipeParser.Parse("""
            teachers:
              - model: {input: [4], layers: [{linear: 2}]}
              - model: {input: [4], layers: [{linear: 8}, relu, {linear: 2}]}
            student: {model: {input: [4], layers: [{linear: 2}]}}
            """);
        Assert.Equal(["teacher1", "teacher2", "student"], ensemble.AllModels.Select(m => m.Name));
        Assert.Equal(new DistillationSpec(), ensemble.Distillation);
        ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse("model: {input: [1, 4, 4], layers: [relu]}"));
        Assert.Contains("ends with shape [1, 4, 4]", ex.Message);
    }
}

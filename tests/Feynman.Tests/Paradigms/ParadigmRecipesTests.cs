using Feynman.Experiments;
using Feynman.Training.Recipes;

namespace Feynman.Tests.Paradigms;

public class ParadigmRecipesTests
{
    static ParadigmRecipesTests() => ParadigmRecipes.Register();

    private static string RepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Feynman.slnx"))) return Path.Combine(dir.FullName, relative);
        throw new FileNotFoundException($"no Feynman.slnx above {AppContext.BaseDirectory}");
    }

    [Fact]
    public void TheFourRecipesParseWithTheIssuesSettings()
    {
        var w2s = RecipeParser.Load(RepositoryFile("recipes/w2s-fashion.yaml"));
        Assert.Equal("weak-to-strong", w2s.Paradigm);
        var ws = w2s.Section<WeakToStrongSpec>("weak_to_strong")!;
        Assert.Equal(["soft", "hard", "confidence", "adaptconf"], ws.Methods);
        Assert.Equal(1000, ws.WeakLabels);
        Assert.Equal(40, ws.WeakLabelsEpochs);
        Assert.Equal(12, w2s.Student!.Training.Epochs);
        Assert.True(ws.FreezeTrunk);
        Assert.Equal(0.2, ws.Warmup);
        Assert.Equal(6, ws.Pretrain!.TrunkLayers);
        Assert.Equal((PretrainSpec.Contrastive, 30000), (ws.Pretrain.Objective, ws.Pretrain.Images));

        var st = RecipeParser.Load(RepositoryFile("recipes/selftrain-fashion.yaml"));
        Assert.Equal("self-training", st.Paradigm);
        Assert.Equal(new SelfTrainingSpec(2000, 3, 0.5, true, 0, 5), st.Section<SelfTrainingSpec>("self_training"));

        var mpl = RecipeParser.Load(RepositoryFile("recipes/mpl-fashion.yaml"));
        Assert.Equal("mpl", mpl.Paradigm);
        Assert.Equal(2000, mpl.Section<MplSpec>("mpl")!.Labels);
        Assert.True(mpl.Section<MplSpec>("mpl")!.TeacherFromLabels);
        // One table from two recipes: the same data and labels give the same seeded split, and the same student.
        Assert.Equal(st.Data.TrainSize, mpl.Data.TrainSize);
        Assert.Equal(st.Section<SelfTrainingSpec>("self_training")!.Labels, mpl.Section<MplSpec>("mpl")!.Labels);
        Assert.Equal(st.Student!.Model.ParameterCount, mpl.Student!.Model.ParameterCount);

        var pre = RecipeParser.Load(RepositoryFile("recipes/pretrain-fashion.yaml"));
        Assert.Equal("pretrain", pre.Paradigm);
        Assert.Equal(1000, pre.Section<PretrainSpec>("pretrain")!.Labels);
        Assert.Equal(PretrainSpec.Denoising, pre.Section<PretrainSpec>("pretrain")!.Objective);
    }

    [Fact]
    public void MissingPiecesAreLineNumberedErrors()
    {
        var ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse("paradigm: mpl\nstudent: {model: {input: [4], layers: [{linear: 2}]}}\n"));
        Assert.Contains("paradigm mpl: needs one 'teacher'.", ex.Message);
        ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse("paradigm: weak-to-strong\nteacher: {model: {input: [4], layers: [{linear: 2}]}}\nstudent: {model: {input: [4], layers: [{linear: 2}]}}\nweak_to_strong: {methods: [soft, magic]}\n"));
        Assert.Equal(4, ex.Line);
        Assert.Contains("'magic' is not one of soft, hard, confidence, augconf, adaptconf", ex.Message);
        ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse("paradigm: pretrain\nmodel: {input: [4], layers: [{linear: 2}]}\npretrain: {noise: 0.1}\n"));
        Assert.Contains("pretrain needs 'trunk_layers'", ex.Message);
        ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse("paradigm: weak-to-strong\nteacher: {model: {input: [4], layers: [{linear: 2}]}}\nstudent: {model: {input: [4], layers: [{linear: 2}]}}\nweak_to_strong: {weak_labels: 10, weak_labels_epochs: 0}\n"));
        Assert.Equal(4, ex.Line);
        ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse("paradigm: weak-to-strong\nteacher: {model: {input: [4], layers: [{linear: 2}]}}\nstudent: {model: {input: [4], layers: [{linear: 2}]}}\nweak_to_strong: {freeze_trunk: true}\n"));
        Assert.Contains("freeze_trunk needs a 'pretrain' section", ex.Message);
    }

    [Fact]
    public void ThePretrainObjectiveIsDenoisingOrContrastiveAndItsSettingsMustMatchIt()
    {
        const string head = "paradigm: pretrain\nmodel: {input: [4], layers: [{linear: 2}]}\n";
        var spec = RecipeParser.Parse(head + "pretrain: {trunk_layers: 1, objective: contrastive, temperature: 0.2, crop_scale: 0.5, projection: 16, images: 100}\n")
            .Section<PretrainSpec>("pretrain")!;
        Assert.Equal((PretrainSpec.Contrastive, 0.2, 0.5, 16, 100), (spec.Objective, spec.Temperature, spec.CropScale, spec.Projection, spec.Images));
        Assert.Equal(PretrainSpec.Denoising, RecipeParser.Parse(head + "pretrain: {trunk_layers: 1}\n").Section<PretrainSpec>("pretrain")!.Objective);
        var ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse(head + "pretrain: {trunk_layers: 1, objective: masked}\n"));
        Assert.Contains("'masked' is not one of denoising, contrastive", ex.Message);
        ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse(head + "pretrain: {trunk_layers: 1, temperature: 0.5}\n"));
        Assert.Contains("'temperature' belongs to the contrastive objective", ex.Message);
        ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse(head + "pretrain: {trunk_layers: 1, objective: contrastive, noise: 0.3}\n"));
        Assert.Contains("'noise' belongs to the denoising objective", ex.Message);
    }
}

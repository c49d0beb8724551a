using Feynman.Paradigms.ActiveLearning;
using Feynman.Training.Recipes;

namespace Feynman.Tests.ActiveLearning;

public class ActiveLearningRecipeTests
{
    private static string RepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Feynman.slnx"))) return Path.Combine(dir.FullName, relative);
        throw new FileNotFoundException($"repository file {relative} not found above {AppContext.BaseDirectory}.");
    }

    [Fact]
    public void TheActiveFashionRecipeHasTheIssuesSchedule()
    {
        var r = RecipeParser.Load(RepositoryFile("recipes/active-fashion.yaml"));
        Assert.Equal(ActiveLearningSpec.ParadigmName, r.Paradigm);
        var spec = r.Section<ActiveLearningSpec>(ActiveLearningSpec.SectionKey)!;
        Assert.Equal((100, 100, 3000), (spec.Initial, spec.Batch, spec.MaxLabels));
        Assert.Equal(QueryStrategies.Names.Order(), spec.Strategies.Order());
        Assert.True(spec.Steps > 0);
        Assert.Equal([1UL, 2UL, 3UL], spec.Seeds);
        Assert.NotNull(r.Student);
    }

    [Fact]
    public void StepsPerRoundComeFromTheRecipe()
    {
        const string model = "student: {model: {input: [4], layers: [{linear: 2}]}}\n";
        var spec = RecipeParser.Parse("paradigm: active-learning\nactive_learning: {steps: 300, warm_start: true}\n" + model)
            .Section<ActiveLearningSpec>(ActiveLearningSpec.SectionKey)!;
        Assert.Equal(300, spec.Steps);
        Assert.Equal(300, spec.ToOptions().StepsPerRound);
        Assert.True(spec.ToOptions().WarmStart);
        Assert.Equal(0, RecipeParser.Parse("paradigm: active-learning\nactive_learning: {}\n" + model)
            .Section<ActiveLearningSpec>(ActiveLearningSpec.SectionKey)!.ToOptions().StepsPerRound);
        Assert.Throws<RecipeException>(() => RecipeParser.Parse("paradigm: active-learning\nactive_learning: {steps: -5}\n" + model));
    }

    [Fact]
    public void TheStudentIsTrainedWithTheRecipesAugmentation()
    {
        const string head = "paradigm: active-learning\nactive_learning: {}\n";
        const string model = "model: {input: [1, 8, 8], layers: [flatten, {linear: 2}]}";
        var fromData = RecipeParser.Parse(head + "data: {augment: {crop_padding: 2}}\nstudent: {" + model + "}\n");
        var options = Feynman.Experiments.ActiveLearningExperiment.StudentTraining(fromData, fromData.Student!, null);
        Assert.Equal((2, false), (options.CropPadding, options.HorizontalFlip));
        // The student's own augmentation wins; null turns it off.
        var own = RecipeParser.Parse(head + "data: {augment: {crop_padding: 2}}\nstudent: {training: {augment: {horizontal_flip: true}}, " + model + "}\n");
        options = Feynman.Experiments.ActiveLearningExperiment.StudentTraining(own, own.Student!, null);
        Assert.Equal((0, true), (options.CropPadding, options.HorizontalFlip));
        var none = RecipeParser.Parse(head + "data: {augment: {crop_padding: 2}}\nstudent: {training: {augment: null}, " + model + "}\n");
        options = Feynman.Experiments.ActiveLearningExperiment.StudentTraining(none, none.Student!, null);
        Assert.Equal((0, false), (options.CropPadding, options.HorizontalFlip));
    }

    [Fact]
    public void BadActiveLearningSectionsNameTheProblem()
    {
        const string model = "student: {model: {input: [4], layers: [{linear: 2}]}}\n";
        var ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse("paradigm: active-learning\n" + model));
        Assert.Contains("needs an 'active_learning' section", ex.Message);
        ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse("paradigm: active-learning\nactive_learning: {strategies: [margin, uncertainty]}\n" + model));
        Assert.Contains("uncertainty", ex.Message);
        Assert.Equal(2, ex.Line);
        ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse("paradigm: active-learning\nactive_learning: {initial: 500, max_labels: 100}\n" + model));
        Assert.Contains("below initial", ex.Message);
    }
}

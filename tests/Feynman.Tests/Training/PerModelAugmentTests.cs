using Feynman.Experiments;
using Feynman.Training.Recipes;

namespace Feynman.Tests.Training;

public class PerModelAugmentTests
{
    private const string Recipe = """
        data: {augment: {crop_padding: 1}}
        teacher:
          training: {augment: {crop_padding: 2, horizontal_flip: true}}
          model: {input: [1, 4, 4], layers: [flatten, {linear: 2}]}
        student:
          training: {augment: null}
          model: {input: [1, 4, 4], layers: [flatten, {linear: 2}]}
        """;

    [Fact]
    public void AModelsAugmentReplacesTheDataSectionsAndNullTurnsItOff()
    {
        var r = RecipeParser.Parse(Recipe, "kd.yaml");
        Assert.Equal(new AugmentSpec(1, false), r.Data.Augment);
        Assert.Equal(new AugmentSpec(2, true), r.Teachers[0].Training.Augment);
        Assert.False(r.Student!.Training.Augment!.Any);

        var runner = new ExperimentRunner(new ExperimentSettings { OutputDirectory = Path.GetTempPath() });
        // Before a run opens the data, only a model's own setting applies; the teacher's crops reach its trainer.
        var teacher = runner.Options(r.Teachers[0].Training, 1, "ck");
        Assert.Equal(2, teacher.CropPadding);
        Assert.True(teacher.HorizontalFlip);
        var student = runner.Options(r.Student.Training, 1, "ck");
        Assert.Equal(0, student.CropPadding);
        Assert.False(student.HorizontalFlip);
    }

    [Fact]
    public void AnUnknownAugmentKeyIsAnErrorWithItsLine()
    {
        var ex = Assert.Throws<RecipeException>(() => RecipeParser.Parse(Recipe.Replace("horizontal_flip: true", "flip: true"), "kd.yaml"));
        Assert.Contains("kd.yaml:3", ex.Message);
        Assert.Contains("flip", ex.Message);
    }
}

public class TrainSizeTests
{
    [Fact]
    public void TrainSizeIsParsedAndALargerSizeThanTheSourceIsAClearError()
    {
        Feynman.Data.DataSources.Register("test:train-size", _ => SyntheticData.Blobs(50));
        var r = RecipeParser.Parse("""
            data: {train: "test:train-size", test: "test:train-size", validation: 0, train_size: 80}
            model: {input: [8], layers: [{linear: 3}]}
            """, "small.yaml");
        Assert.Equal(80, r.Data.TrainSize);
        var runner = new ExperimentRunner(new ExperimentSettings { OutputDirectory = Path.Combine(Path.GetTempPath(), $"ts-{Guid.NewGuid():N}") });
        var ex = Assert.Throws<InvalidDataException>(() => runner.Run(r));
        Assert.Contains("train_size 80 is larger than test:train-size (50 samples)", ex.Message);
        Assert.Throws<RecipeException>(() => RecipeParser.Parse("data: {train_size: 0}\nmodel: {input: [8], layers: [{linear: 3}]}", "zero.yaml"));
    }
}

using Feynman.Experiments;
using Feynman.Text;
using Feynman.Text.Teaching;

namespace Feynman.Tests.Text;

public class TextTeachComponentsTests
{
    private static TeachContext Context(TeachComponent component, TeachingData? data = null) =>
        new(new TeachSpec(), component, 3, Path.GetTempPath()) { Data = data };

    [Fact]
    public void SpamAssassinDataSplitsByGroupWithASeedSetAndNoOverlap()
    {
        TeachRecipes.Register();
        var component = new TeachComponent("spam-assassin", new Dictionary<string, string> { ["seed_size"] = "150" });
        var data = TeachingComponents.CreateData(Context(component));
        Assert.Equal(["ham", "spam"], data.LabelNames);
        Assert.Equal(150, data.Seed.Count);
        int total = data.Test!.Count + data.Dev.Count + data.Train!.Count;
        Assert.Equal(6046, total);
        Assert.InRange(data.Test.Count, 1150, 1270);                 // 20 % of each group
        var train = data.Train.Select(e => e.Id).ToHashSet();
        Assert.All(data.Seed, e => Assert.Contains(e.Id, train));   // the seed set is drawn from the training split
        Assert.DoesNotContain(data.Test, e => train.Contains(e.Id));
        Assert.DoesNotContain(data.Dev, e => train.Contains(e.Id));
        Assert.Contains(data.Seed, e => e.Label == 1);
        Assert.Contains(data.Seed, e => e.Label == 0);

        var again = TeachingComponents.CreateData(Context(component));
        Assert.Equal(data.Seed.Select(e => e.Id), again.Seed.Select(e => e.Id)); // seeded

        var tooMany = new TeachComponent("spam-assassin", new Dictionary<string, string> { ["seed_size"] = "999999" });
        Assert.Contains("seed_size must be", Assert.Throws<ArgumentException>(() => TeachingComponents.CreateData(Context(tooMany))).Message);
    }

    [Fact]
    public async Task LocalLabellerLearnsFromTheTrainingSplitAndStudentsAreRegistered()
    {
        TeachRecipes.Register();
        Assert.Contains("fasttext", TeachingComponents.StudentNames);
        Assert.Contains("transformer", TeachingComponents.StudentNames);
        var train = SyntheticText.Make(400, 1);
        var test = SyntheticText.Make(100, 2);
        var data = new TeachingData(train.LabelNames, [], []) { Train = train.Examples };
        var labeler = TeachingComponents.CreateLabeler(Context(TeachComponent.Named("local"), data));
        var labels = await labeler.LabelAsync(test.Examples.Select(e => e.Text).ToList(), train.LabelNames);
        double accuracy = labels.Zip(test.Examples).Count(p => p.First.Label == p.Second.Label) / (double)test.Count;
        Assert.True(accuracy > 0.9, $"the local teacher labels the synthetic task at {accuracy:P0}");
        Assert.All(labels, l => Assert.Equal(1f, l.Probabilities!.Sum(), 3));

        var noTrain = new TeachingData(train.LabelNames, [], []);
        Assert.Throws<InvalidDataException>(() => TeachingComponents.CreateLabeler(Context(TeachComponent.Named("local"), noTrain)));
    }
}

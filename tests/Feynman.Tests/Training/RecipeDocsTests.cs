using System.Text.RegularExpressions;
using Feynman.Training.Recipes;

namespace Feynman.Tests.Training;

/// <summary>The examples in docs/recipes.md must parse, and say what they claim to.</summary>
public partial class RecipeDocsTests
{
    [GeneratedRegex(@"```yaml\n(# (recipe|model)\n.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();

    private static string RepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Feynman.slnx"))) return Path.Combine(dir.FullName, relative);
        throw new FileNotFoundException($"no Feynman.slnx above {AppContext.BaseDirectory}");
    }

    [Fact]
    public void EveryExampleInTheRecipeDocsParses()
    {
        var text = File.ReadAllText(RepositoryFile("docs/recipes.md"));
        var blocks = YamlBlock().Matches(text);
        Assert.Equal(3, blocks.Count);
        var full = RecipeParser.Parse(blocks[0].Groups[1].Value, "docs/recipes.md#1");
        Assert.Equal("distillation", full.Paradigm);
        Assert.Equal(["cnn", "mlp"], full.AllModels.Select(m => m.Name));
        Assert.Equal(12, full.Teachers[0].Training.Epochs);
        Assert.Equal(0.02, full.Teachers[0].Training.Optimizer.LearningRate);
        Assert.Equal(5.0, full.Teachers[0].Training.ClipGradNorm);

        var model = RecipeParser.ParseModel(blocks[1].Groups[1].Value, "docs/recipes.md#2");
        // The comments in the docs give each layer's PyTorch module and some output shapes; check them.
        Assert.Equal([32, 14, 14], model.Layers[3].OutputShape);
        Assert.Equal([32, 7, 7], model.Layers[4].OutputShape);
        Assert.Equal([1568], model.Layers[5].OutputShape);
        Assert.Equal("nn.Linear(1568, 128)", model.Layers[7].ToPyTorch());
        Assert.Equal("nn.Linear(128, 64, bias=False)", model.Layers[10].ToPyTorch());
        Assert.Equal("nn.Linear(64, 10)", model.Layers[12].ToPyTorch());

        var supervised = RecipeParser.Parse(blocks[2].Groups[1].Value);
        Assert.Equal("supervised", supervised.Paradigm);
        Assert.Equal("adamw", supervised.Model!.Training.Optimizer.Name);
    }
}

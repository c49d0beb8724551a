using System.CommandLine;
using System.Globalization;
using Feynman.Data;
using Feynman.Experiments;
using Feynman.Serialization;
using Feynman.Tensors;
using Feynman.Training;
using Feynman.Training.Recipes;
using Spectre.Console;

namespace Feynman.Cli.Commands;

/// <summary><c>feynman eval --model MODEL.yaml --weights W.safetensors --data SOURCE</c>: accuracy of saved weights (Feynman's or PyTorch's).</summary>
internal static class EvalCommand
{
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "Model YAML (input and layers, as in a recipe).", Required = true };
        var weights = new Option<string>("--weights") { Description = "safetensors weights with nn.Sequential names (0.weight, ...).", Required = true };
        var data = new Option<string>("--data") { Description = "Labelled data source.", DefaultValueFactory = _ => "fashion-mnist:test" };
        var dataDir = CommonOptions.DataDir();
        var command = new Command("eval", "Evaluate saved weights on a labelled data source.");
        foreach (var o in new Option[] { model, weights, data, dataDir }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            try
            {
                var spec = RecipeParser.LoadModel(parse.GetValue(model)!);
                var net = ModelBuilder.Build(spec, new Generator(0));
                net.Load(parse.GetValue(weights)!);
                var dataset = DataSources.Open(parse.GetValue(data)!, parse.GetValue(dataDir));
                var result = Evaluator.Evaluate(net, dataset);
                Console.WriteLine($"accuracy: {result.Accuracy.ToString("F4", CultureInfo.InvariantCulture)}");
                Console.WriteLine($"loss: {result.Loss.ToString("F4", CultureInfo.InvariantCulture)}");
                Console.WriteLine($"ece: {result.ExpectedCalibrationError.ToString("F4", CultureInfo.InvariantCulture)}");
                Console.WriteLine($"samples: {dataset.Count}");
                return 0;
            }
            catch (Exception ex) when (ex is RecipeException or IOException or InvalidDataException or SafetensorsFormatException or ArgumentException or KeyNotFoundException)
            {
                AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
                return 1;
            }
        });
        return command;
    }
}

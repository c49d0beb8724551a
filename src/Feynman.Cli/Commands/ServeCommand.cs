using System.CommandLine;
using Feynman.Data;
using Feynman.Experiments;
using Feynman.Paradigms.ActiveLearning;
using Feynman.Serialization;
using Feynman.Tensors;
using Feynman.Tracking;
using Feynman.Training.Recipes;
using Feynman.Web;
using Spectre.Console;

namespace Feynman.Cli.Commands;

/// <summary><c>feynman serve --model M.yaml [--weights W] [--data SOURCE] [--port P]</c>: the annotation API on 127.0.0.1.</summary>
internal static class ServeCommand
{
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "Model YAML of the student whose uncertainty orders the queue.", Required = true };
        var weights = new Option<string?>("--weights") { Description = "safetensors weights for the student (default: freshly initialised)." };
        var data = new Option<string>("--data") { Description = "Pool of items to label.", DefaultValueFactory = _ => "fashion-mnist:train" };
        var strategy = new Option<string>("--strategy") { Description = $"Query strategy ({string.Join(", ", QueryStrategies.Names)}).", DefaultValueFactory = _ => "margin" };
        var host = new Option<string>("--host") { Description = "Address to bind (loopback by default).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port.", DefaultValueFactory = _ => 5117 };
        var db = AnnotatorsCommand.LabelsDb();
        var dataDir = CommonOptions.DataDir();
        var command = new Command("serve", "Serve the annotation API: a queue chosen by the student's uncertainty, labels stored per annotator.");
        foreach (var o in new Option[] { model, weights, data, strategy, host, port, db, dataDir }) command.Options.Add(o);
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var net = ModelBuilder.Build(RecipeParser.LoadModel(parse.GetValue(model)!), new Generator(0));
                if (parse.GetValue(weights) is { } w) net.Load(w);
                var pool = DataSources.Open(parse.GetValue(data)!, parse.GetValue(dataDir));
                using var store = LabelStore.Open(parse.GetValue(db)!);
                await using var app = AnnotationServer.Build(store, pool, net, QueryStrategies.Create(parse.GetValue(strategy)!), parse.GetValue(host)!, parse.GetValue(port));
                await app.StartAsync(ct);
                Console.WriteLine($"serving {pool.Name} on {string.Join(", ", app.Urls)} (labels: {store.Path}); Ctrl+C stops");
                try { await Task.Delay(Timeout.Infinite, ct); } catch (OperationCanceledException) { }
                await app.StopAsync(CancellationToken.None);
                return 0;
            }
            catch (Exception ex) when (ex is RecipeException or IOException or InvalidDataException or SafetensorsFormatException or ArgumentException or InvalidOperationException)
            {
                AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
                return 1;
            }
        });
        return command;
    }
}

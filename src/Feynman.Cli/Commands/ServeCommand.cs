using System.CommandLine;
using Feynman.Data;
using Feynman.Experiments;
using Feynman.Nn;
using Feynman.Paradigms.ActiveLearning;
using Feynman.Serialization;
using Feynman.Tensors;
using Feynman.Tracking;
using Feynman.Training.Recipes;
using Feynman.Web;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Feynman.Cli.Commands;

/// <summary>
/// <c>feynman serve --model M.yaml [--weights W] [--data SOURCE] [--port P] [--retrain-every N]</c>: the annotation
/// app (pages and API) on 127.0.0.1, retraining the student in the background.
/// </summary>
internal static class ServeCommand
{
    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "Model YAML of the student whose uncertainty orders the queue.", Required = true };
        var weights = new Option<string?>("--weights") { Description = "safetensors weights for the student (default: freshly initialised)." };
        var data = new Option<string>("--data") { Description = "Pool of items to label.", DefaultValueFactory = _ => "fashion-mnist:train" };
        var strategy = new Option<string>("--strategy") { Description = $"Query strategy ({string.Join(", ", QueryStrategies.Names)}).", DefaultValueFactory = _ => "margin" };
        var host = new Option<string>("--host") { Description = "Address to bind (loopback by default).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port (0: any free port).", DefaultValueFactory = _ => 5117 };
        var retrainEvery = new Option<int>("--retrain-every") { Description = "Retrain the student on all labels after this many new ones (0: never).", DefaultValueFactory = _ => 20 };
        var retrainEpochs = new Option<int>("--retrain-epochs") { Description = "Epochs of each retraining.", DefaultValueFactory = _ => 20 };
        var retrainLr = new Option<double>("--retrain-lr") { Description = "Adam learning rate of each retraining (batches of 32).", DefaultValueFactory = _ => 2e-3 };
        var holdout = new Option<string?>("--holdout") { Description = "Labelled source each retrained student is measured on (default: the pool's ':test' source when there is one; 'none': no accuracy)." };
        var holdoutSize = new Option<int>("--holdout-size") { Description = "Measure on this many held-out samples (a seeded random subset; 0: all).", DefaultValueFactory = _ => 2000 };
        var subsample = new Option<int>("--pool-subsample") { Description = "Score this many random unlabelled items per queue refill (0: the whole pool).", DefaultValueFactory = _ => 2000 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the student, subsamples and retraining.", DefaultValueFactory = _ => 1 };
        var db = AnnotatorsCommand.LabelsDb();
        var dataDir = CommonOptions.DataDir();
        var command = new Command("serve", "Serve the annotation app: a queue chosen by the student's uncertainty, labels stored per annotator, the student retrained as labels arrive.");
        foreach (var o in new Option[] { model, weights, data, strategy, host, port, retrainEvery, retrainEpochs, retrainLr, holdout, holdoutSize, subsample, seed, db, dataDir }) command.Options.Add(o);
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var spec = RecipeParser.LoadModel(parse.GetValue(model)!);
                ulong s = parse.GetValue(seed);
                string? w = parse.GetValue(weights);
                Module CreateStudent()
                {
                    var m = ModelBuilder.Build(spec, new Generator(s));
                    if (w != null) m.Load(w);
                    return m;
                }
                var net = CreateStudent();
                string source = parse.GetValue(data)!;
                var pool = DataSources.Open(source, parse.GetValue(dataDir));
                var test = Holdout(source, parse.GetValue(holdout), parse.GetValue(holdoutSize), s, parse.GetValue(dataDir));
                using var store = LabelStore.Open(parse.GetValue(db)!);
                var options = new AnnotationOptions
                {
                    Host = parse.GetValue(host)!, Port = parse.GetValue(port), CreateStudent = CreateStudent, RetrainEvery = parse.GetValue(retrainEvery),
                    // Few labels, many retrainings: small batches and Adam learn from 20 labels as well as from 2,000.
                    Training = RecipeTraining.Options(TrainingSpec.Defaults, s, parse.GetValue(retrainEpochs)) with
                    {
                        Optimizer = "adam", LearningRate = parse.GetValue(retrainLr), BatchSize = 32, WeightDecay = 0, Schedule = "constant",
                    },
                    Holdout = test,
                    PoolSubsample = parse.GetValue(subsample), Seed = s,
                };
                await using var app = AnnotationServer.Build(store, pool, net, QueryStrategies.Create(parse.GetValue(strategy)!), options);
                app.Services.GetRequiredService<AnnotationSession>().CurvePointAdded += p =>
                    Console.WriteLine($"student v{p.Version}: {p.Labels} labels" + (p.Accuracy is double a ? $", held-out accuracy {a * 100:F1}%" : "") + $" ({p.Seconds:F1} s)");
                await app.StartAsync(ct);
                var url = app.Urls.First();
                Console.WriteLine($"serving {pool.Name} on {url} (labels: {store.Path}{(test is null ? "" : $"; held-out: {test.Name}")}); log in at {url}/login; Ctrl+C stops");
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

    // The pool's test split when the source follows the "name:train" pattern, unless one is given or refused.
    private static IDataset? Holdout(string pool, string? holdout, int size, ulong seed, string? dataDir)
    {
        if (holdout == "none") return null;
        if (holdout is null)
        {
            if (!pool.EndsWith(":train", StringComparison.Ordinal)) return null;
            holdout = pool[..^":train".Length] + ":test";
            if (!DataSources.Names.Contains(holdout)) return null;
        }
        if (size < 0) throw new ArgumentException($"--holdout-size must be 0 (all) or positive, got {size}.");
        var set = DataSources.Open(holdout, dataDir);
        return size > 0 && size < set.Count ? new Subset(set, new Generator(seed * 31 + 7).Permutation(set.Count)[..size], $"{set.Name}[{size}]") : set;
    }
}

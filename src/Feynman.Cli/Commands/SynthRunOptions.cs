using System.CommandLine;
using Feynman.Synthesis;
using Feynman.Synthesis.Teachers;
using Feynman.Synthesis.Text;
using Spectre.Console;

namespace Feynman.Cli.Commands;

/// <summary>The options self-instruct and alpaca share: teachers, concurrency, budget, resume, output.</summary>
public sealed class SynthRunOptions
{
    public readonly Option<string[]> Endpoints = new("--endpoint") { Description = "OpenAI-compatible base URL (repeat for a pool), e.g. http://127.0.0.1:8000/v1.", Required = true, AllowMultipleArgumentsPerToken = false };
    public readonly Option<string> Model = new("--model") { Description = "Teacher model name.", Required = true };
    public readonly Option<string?> ApiKeyEnv = new("--api-key-env") { Description = "Environment variable holding the API key (never written anywhere).", DefaultValueFactory = _ => "OPENAI_API_KEY" };
    public readonly Option<string> Seeds = new("--seeds") { Description = "Seed tasks, self-instruct seed_tasks.jsonl format.", Required = true };
    public readonly Option<string> Out = new("--out") { Description = "Output folder (store.jsonl and the results).", Required = true };
    public readonly Option<int> Num = new("--num") { Description = "Instructions to generate.", DefaultValueFactory = _ => 100 };
    public readonly Option<int> InFlight = new("--in-flight") { Description = "Requests in flight at once.", DefaultValueFactory = _ => 32 };
    public readonly Option<int> PerRound = new("--requests-per-round") { Description = "Requests whose prompts are built together (reproducibility unit).", DefaultValueFactory = _ => 32 };
    public readonly Option<double> PriceIn = new("--price-in") { Description = "Dollars per million prompt tokens.", DefaultValueFactory = _ => 0 };
    public readonly Option<double> PriceOut = new("--price-out") { Description = "Dollars per million completion tokens.", DefaultValueFactory = _ => 0 };
    public readonly Option<double?> MaxCost = new("--max-cost") { Description = "Stop before spending more dollars than this." };
    public readonly Option<long?> MaxTokens = new("--max-tokens") { Description = "Stop before using more tokens than this." };
    public readonly Option<bool> Resume = new("--resume") { Description = "Continue the run stored in --out." };
    public readonly Option<bool> DryRun = new("--dry-run") { Description = "Print the request, token and cost estimate and exit." };
    public readonly Option<string?> Templates = new("--templates") { Description = "Folder of edited prompt templates (see 'synth templates')." };
    public readonly Option<string> Tokenizer = new("--tokenizer") { Description = "ROUGE tokenizer: reference or unicode.", DefaultValueFactory = _ => "reference" };
    public readonly Option<int> Seed = new("--seed") { Description = "Sampling seed of the prompts.", DefaultValueFactory = _ => 42 };
    public readonly Option<double> Timeout = new("--timeout") { Description = "Seconds per attempt before it is retried.", DefaultValueFactory = _ => 180 };

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Endpoints, Model, ApiKeyEnv, Seeds, Out, Num, InFlight, PerRound, PriceIn, PriceOut, MaxCost, MaxTokens, Resume, DryRun, Templates, Tokenizer, Seed, Timeout })
            c.Options.Add(o);
        Tokenizer.AcceptOnlyFromAmong("reference", "unicode");
    }

    public List<TeacherEndpoint> EndpointsOf(ParseResult p) => p.GetValue(Endpoints)!.Select(u => new TeacherEndpoint
    {
        BaseUrl = new Uri(u.EndsWith('/') ? u : u + "/"), Model = p.GetValue(Model)!, ApiKeyVariable = p.GetValue(ApiKeyEnv),
        InputPricePerMillion = p.GetValue(PriceIn), OutputPricePerMillion = p.GetValue(PriceOut),
        MaxConcurrency = Math.Max(1, p.GetValue(InFlight) / Math.Max(1, p.GetValue(Endpoints)!.Length)),
    }).ToList();

    public RougeTokenization TokenizationOf(ParseResult p) => p.GetValue(Tokenizer) == "unicode" ? RougeTokenization.Unicode : RougeTokenization.Reference;

    public TeacherPool PoolOf(ParseResult p, Budget budget) => new(EndpointsOf(p), new TeacherPoolOptions
    {
        MaxInFlight = p.GetValue(InFlight), AttemptTimeout = TimeSpan.FromSeconds(p.GetValue(Timeout)),
    }, budget);

    /// <summary>Runs <paramref name="run"/> under a Spectre progress bar fed by the pipeline's reports and the pool's counters.</summary>
    public static async Task<T> WithProgress<T>(string title, int target, TeacherPool pool, Func<IProgress<SynthesisProgress>, Task<T>> run)
    {
        T result = default!;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var bar = ctx.AddTask(title, maxValue: Math.Max(1, target));
                SynthesisProgress? last = null;
                void Draw()
                {
                    var p = last;
                    string stage = p?.Stage ?? "starting";
                    bar.Description = $"{title} [grey]{stage}[/] accepted [green]{p?.Accepted ?? 0}[/] rejected [red]{p?.Rejected ?? 0}[/] in flight {pool.InFlight} tokens {pool.TotalTokens:N0} ${pool.TotalCost:F4}";
                    if (p != null) { bar.MaxValue = Math.Max(1, p.Target); bar.Value = Math.Min(p.Accepted, p.Target); }
                }
                using var timer = new Timer(_ => Draw(), null, 0, 250);
                result = await run(new InlineProgress(p => { last = p; Draw(); }));
                Draw();
                bar.Value = bar.MaxValue;
            });
        return result;
    }

    private sealed class InlineProgress(Action<SynthesisProgress> report) : IProgress<SynthesisProgress>
    {
        public void Report(SynthesisProgress value) => report(value);
    }

    /// <summary>Runs a generation command's body with the errors every such command reports the same way.</summary>
    public static async Task<int> Guard(string command, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("interrupted; everything answered so far is in the store; rerun with --resume.");
            return 130;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or TeacherRequestException or UriFormatException)
        {
            AnsiConsole.MarkupLine($"[red]synth {command}:[/] {Markup.Escape(e.Message)}");
            return 2;
        }
    }

    public static void PrintUsage(TeacherPool pool, Budget budget)
    {
        var table = new Table().AddColumns("teacher", "requests", "failed attempts", "prompt tokens", "completion tokens", "cost ($)");
        foreach (var u in pool.Usage())
            table.AddRow(Markup.Escape(u.Teacher), u.Requests.ToString("N0"), u.FailedAttempts.ToString("N0"), u.InputTokens.ToString("N0"), u.OutputTokens.ToString("N0"), u.Cost.ToString("F4"));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"this run and earlier ones: {budget.SpentTokens:N0} tokens, ${budget.SpentCost:F4}");
    }
}

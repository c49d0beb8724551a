using Feynman.Bench.Synth;

// dotnet run -c Release --project bench/Feynman.Bench.Synth -- novelty [N] [--naive M]
//                                                          -- http [requests] [latency-ms] [in-flight]
string mode = args.Length > 0 ? args[0] : "novelty";
int Arg(int i, int fallback) => args.Length > i && int.TryParse(args[i], out int v) ? v : fallback;
int Named(string name, int fallback)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], out int v) ? v : fallback;
}

return mode switch
{
    "novelty" => NoveltyBench.Run(Arg(1, 50_000), Named("--naive", 10_000)),
    "http" => await HttpBench.Run(Arg(1, 640), Arg(2, 50), Arg(3, 32)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Feynman.Bench.Synth novelty [N] [--naive M] | http [requests] [latency-ms] [in-flight]");
    return 2;
}

using Feynman.Bench;

// Throughput and latency harness. bench/compare runs `models` beside reference/bench_torch.py.
return args.Length == 0 ? Usage() : args[0] switch
{
    "gemm" => GemmBench.Run(BenchArgs.Parse(args[1..])),
    "models" => ModelsBench.Run(BenchArgs.Parse(args[1..])),
    "profile" => ProfileBench.Run(BenchArgs.Parse(args[1..])),
    "textgen" => TextGenBench.Run(BenchArgs.Parse(args[1..])),
    "textinfer" => TextInferBench.Run(BenchArgs.Parse(args[1..])),
    "-h" or "--help" or "help" => Usage(),
    _ => Usage($"unknown subcommand '{args[0]}'"),
};

static int Usage(string? error = null)
{
    if (error != null) Console.Error.WriteLine($"Feynman.Bench: {error}");
    Console.Error.WriteLine("""
        usage: Feynman.Bench gemm   [--ms 300] [--set mlp|square|all] [--metric best|cpu|mean|cpubest]
               Feynman.Bench profile [--model mlp1200] [--steps 30]
               Feynman.Bench textgen [--steps 300] [--batch 16] [--context 256] [--layers 2] [--samples 100] [--save model.safetensors | --load model.safetensors]
                                     [--temperature 0.8] [--top-k 40] [--sample-batch 32] [--show 6] [--write 0]
               Feynman.Bench textinfer [--dim 16] [--buckets 32768] [--min-n 3] [--max-n 5] [--max-words 500] [--epochs 1] [--calls 600]
               Feynman.Bench models [--models mlp1200,mlp256,cnn,mlp256_infer] [--seconds 3] [--infer-calls 10000] [--json]
        """);
    return error == null ? 0 : 2;
}

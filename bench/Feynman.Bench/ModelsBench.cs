using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Feynman.Bench.Models;
using Feynman.Tensors.Kernels;

namespace Feynman.Bench;

/// <summary>
/// The Feynman side of the side-by-side benchmark: training samples/s (batch 128) and one-sample
/// inference latency, with managed bytes allocated per step and the process's peak working set.
/// Measured like reference/bench_torch.py: warm-up, then a fixed time (training) or number of calls (inference).
/// </summary>
public static class ModelsBench
{
    private const int Batch = 128;

    public static int Run(BenchArgs args)
    {
        var names = args.Get("models", string.Join(",", BenchModels.Names)).Split(',', StringSplitOptions.RemoveEmptyEntries);
        double seconds = args.Get("seconds", 3.0);
        int inferCalls = (int)args.Get("infer-calls", 10000);
        var results = new JsonObject();
        foreach (var name in names)
        {
            JsonObject r;
            try
            {
                var model = BenchModels.Create(name);
                model.Setup(Batch, seed: 0);
                r = model.IsInference ? MeasureInference(model, inferCalls) : MeasureTraining(model, seconds);
            }
            catch (NotSupportedException e)
            {
                r = new JsonObject { ["error"] = e.Message };
            }
            r["peak_working_set_mb"] = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 1);
            results[name] = r;
            Console.Error.WriteLine($"feynman {name,-13} {(r["error"] is { } err ? $"not run: {err}" : $"{(double)r["value"]!:F1} {r["unit"]}, {r["alloc_bytes_per_step"]} B allocated per step")}");
        }
        var gemm = Gemm.Backend;
        var output = new JsonObject
        {
            ["gemm"] = gemm.Name,
            ["gemm_threads"] = gemm.Threads,
            ["batch"] = Batch,
            ["seconds"] = seconds,
            ["infer_calls"] = inferCalls,
            ["models"] = results,
        };
        if (args.Flag("json")) Console.WriteLine(output.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        else PrintTable(results);
        return 0;
    }

    private static JsonObject MeasureTraining(BenchModel model, double seconds)
    {
        var warmEnd = Stopwatch.StartNew();
        while (warmEnd.Elapsed.TotalSeconds < Math.Min(1.0, seconds / 3)) model.Step();
        int gen0 = GC.CollectionCount(0);
        long threadBytes = GC.GetAllocatedBytesForCurrentThread();
        long allBytes = GC.GetTotalAllocatedBytes(precise: true);
        long steps = 0;
        float loss = 0;
        var sw = Stopwatch.StartNew();
        do
        {
            loss = model.Step();
            steps++;
        } while (sw.Elapsed.TotalSeconds < seconds);
        double elapsed = sw.Elapsed.TotalSeconds;
        return new JsonObject
        {
            ["unit"] = "samples/s",
            ["value"] = steps * Batch / elapsed,
            ["steps"] = steps,
            ["ms_per_step"] = 1000 * elapsed / steps,
            ["loss"] = loss,
            ["alloc_bytes_per_step"] = (GC.GetAllocatedBytesForCurrentThread() - threadBytes) / steps,
            ["alloc_bytes_per_step_all_threads"] = (GC.GetTotalAllocatedBytes(precise: true) - allBytes) / steps,
            ["gen0_collections"] = GC.CollectionCount(0) - gen0,
        };
    }

    private static JsonObject MeasureInference(BenchModel model, int calls)
    {
        for (int i = 0; i < 200; i++) model.Infer();
        var times = new long[calls];
        long bytes = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            model.Infer();
            times[i] = Stopwatch.GetTimestamp() - t0;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - bytes;
        Array.Sort(times);
        double median = (calls % 2 == 1 ? times[calls / 2] : (times[calls / 2 - 1] + times[calls / 2]) / 2.0) * 1e6 / Stopwatch.Frequency;
        return new JsonObject
        {
            ["unit"] = "us",
            ["value"] = median,
            ["median_us"] = median,
            ["calls"] = calls,
            ["alloc_bytes_per_step"] = allocated / calls,
        };
    }

    private static void PrintTable(JsonObject results)
    {
        Console.WriteLine($"{"model",-14} {"result",18} {"alloc B/step",13} {"peak WS MB",11}");
        foreach (var (name, node) in results)
        {
            var r = node!.AsObject();
            string result = r["error"] is { } e ? "not run" : $"{((double)r["value"]!).ToString("F1", CultureInfo.InvariantCulture)} {r["unit"]}";
            Console.WriteLine($"{name,-14} {result,18} {r["alloc_bytes_per_step"]?.ToString() ?? "-",13} {r["peak_working_set_mb"],11}");
            if (r["error"] is { } err) Console.WriteLine($"  {err}");
        }
    }
}

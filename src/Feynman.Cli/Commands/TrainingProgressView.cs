using Feynman.Training;
using Spectre.Console;

namespace Feynman.Cli.Commands;

/// <summary>Spectre progress bars for training: one bar per model, with epoch, loss and samples/s.</summary>
internal sealed class TrainingProgressView(ProgressContext context) : IProgress<TrainingProgress>
{
    private readonly Dictionary<string, ProgressTask> tasks = new();

    public void Report(TrainingProgress p)
    {
        if (!tasks.TryGetValue(p.Model, out var task))
        {
            task = context.AddTask(Markup.Escape(p.Model), maxValue: (double)p.Epochs * p.Batches);
            tasks[p.Model] = task;
        }
        task.Value = (double)p.Epoch * p.Batches + p.Batch;
        task.Description = $"{Markup.Escape(p.Model),-22} epoch {p.Epoch + 1}/{p.Epochs}  loss {p.Loss:F4}  {p.SamplesPerSecond,7:N0} samples/s";
        if (p.EpochEnd && p.Epoch + 1 == p.Epochs) task.StopTask();
    }

    /// <summary>Runs <paramref name="work"/> with progress bars (plain lines when output is not a terminal).</summary>
    public static T Run<T>(Func<IProgress<TrainingProgress>, T> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return work(new PlainProgress());
        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx => work(new TrainingProgressView(ctx)));
    }

    /// <summary>Without a terminal (CI, pipes): one line per epoch.</summary>
    private sealed class PlainProgress : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p)
        {
            if (p.EpochEnd)
                Console.WriteLine($"{p.Model}: epoch {p.Epoch + 1}/{p.Epochs}  loss {p.Loss:F4}  {p.SamplesPerSecond:N0} samples/s");
        }
    }
}

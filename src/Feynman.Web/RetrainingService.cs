using Microsoft.Extensions.Hosting;

namespace Feynman.Web;

/// <summary>
/// Retrains the annotation session's student in the background: first measures the starting student (and
/// retrains at once when the store already holds labels), then retrains whenever enough new labels arrived.
/// Training runs on a thread-pool thread; requests keep using the current student until the new one is swapped in.
/// </summary>
public sealed class RetrainingService(AnnotationSession session) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Run(() => Guard(() => session.EvaluateInitial()), stoppingToken);
        if (session.RetrainingEnabled && session.Store.LabelledItems().Count > 0) session.RequestRetrain();
        try
        {
            await foreach (var _ in session.RetrainRequests.ReadAllAsync(stoppingToken))
                await Task.Run(() => Guard(() => session.Retrain(stoppingToken)), stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    // A failed retraining must not stop the server: the current student stays, and the status shows the error.
    private void Guard(Action action)
    {
        try { action(); }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            session.RecordFailure(ex);
        }
    }
}

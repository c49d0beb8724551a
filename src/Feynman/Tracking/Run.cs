namespace Feynman.Tracking;

/// <summary>
/// A run being recorded. Log per-epoch metrics as they come (re-logging an epoch, as a resumed run does,
/// overwrites it), final metrics and artifacts, then <see cref="Finish"/>. Disposing an unfinished run
/// marks it failed, so an exception escaping a <c>using</c> block is recorded as such.
/// </summary>
public sealed class Run : IDisposable
{
    private readonly RunStore store;

    internal Run(RunStore store, long id, string name)
    {
        this.store = store;
        Id = id;
        Name = name;
    }

    public long Id { get; }

    public string Name { get; }

    /// <summary>Null until <see cref="Finish"/>.</summary>
    public RunStatus? FinalStatus { get; private set; }

    /// <summary>Records one value for one epoch of one model ("teacher", "student-kd", ...).</summary>
    public void LogEpoch(string model, int epoch, string key, double value) =>
        store.Write("INSERT OR REPLACE INTO epoch_metrics (run_id, model, epoch, key, value) VALUES ($id, $model, $epoch, $key, $value);",
            ("$id", Id), ("$model", model), ("$epoch", epoch), ("$key", key), ("$value", Stored(value)));

    /// <summary>Records several values of one epoch in one transaction.</summary>
    public void LogEpoch(string model, int epoch, IEnumerable<KeyValuePair<string, double>> metrics) =>
        store.WriteMany("INSERT OR REPLACE INTO epoch_metrics (run_id, model, epoch, key, value) VALUES ($id, $model, $epoch, $key, $value);",
            metrics.Select(m => new (string, object?)[] { ("$id", Id), ("$model", model), ("$epoch", epoch), ("$key", m.Key), ("$value", Stored(m.Value)) }).ToList());

    /// <summary>Records a final metric (test accuracy, parameters, µs per sample, ...) of one model ("" for the run).</summary>
    public void LogMetric(string key, double value, string model = "") =>
        store.Write("INSERT OR REPLACE INTO final_metrics (run_id, model, key, value) VALUES ($id, $model, $key, $value);",
            ("$id", Id), ("$model", model), ("$key", key), ("$value", Stored(value)));

    /// <summary>Records a file the run produced.</summary>
    public void AddArtifact(string kind, string path) =>
        store.Write("INSERT OR REPLACE INTO artifacts (run_id, kind, path, created_at) VALUES ($id, $kind, $path, $at);",
            ("$id", Id), ("$kind", kind), ("$path", Path.GetFullPath(path)), ("$at", RunStore.Now()));

    /// <summary>
    /// Saves structured results under <paramref name="name"/> (replacing an earlier one): a report model,
    /// results.json, confusion matrices. Read back with <see cref="RunStore.GetDocument"/>.
    /// </summary>
    public void SaveDocument(string name, string json)
    {
        RunStore.ValidateDocument(name, json);
        store.Write("INSERT OR REPLACE INTO documents (run_id, name, json) VALUES ($id, $name, $json);", ("$id", Id), ("$name", name), ("$json", json));
    }

    /// <summary>Ends the run with <paramref name="status"/> (finished, failed or interrupted).</summary>
    public void Finish(RunStatus status, string? error = null)
    {
        if (status == RunStatus.Running) throw new ArgumentException("a run cannot finish as running.", nameof(status));
        store.Write("UPDATE runs SET status = $status, ended_at = $at, error = $error WHERE id = $id;",
            ("$status", status.ToString().ToLowerInvariant()), ("$at", RunStore.Now()), ("$error", error), ("$id", Id));
        FinalStatus = status;
    }

    public void Dispose()
    {
        if (FinalStatus is null) Finish(RunStatus.Failed, "the run ended without being finished");
    }

    // NaN is a legitimate metric (a diverged loss); SQLite would store it as NULL anyway, so say so.
    private static object Stored(double value) => double.IsNaN(value) ? DBNull.Value : value;
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Feynman.Tracking;

/// <summary>
/// Runs, their parameters, metrics and artifacts in an embedded SQLite database (default
/// <c>runs/feynman.db</c> under the working directory). Several processes may write at once: the
/// database is in WAL mode and waits up to <see cref="BusyTimeout"/> for a lock. A run left
/// "running" by a process that no longer exists is reported as failed.
/// </summary>
public sealed class RunStore : IDisposable
{
    /// <summary>The default database path, relative to the working directory.</summary>
    public const string DefaultPath = "runs/feynman.db";

    /// <summary>How long a write waits for another writer before failing.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);

    private const int SchemaVersion = 1;
    private static readonly Lock InitLock = new();
    private static bool sqliteReady;

    private readonly SqliteConnection connection;
    private readonly Lock gate = new();

    private RunStore(string path, SqliteConnection connection)
    {
        Path = path;
        this.connection = connection;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating if needed) the database at <paramref name="path"/> (default <see cref="DefaultPath"/>).</summary>
    public static RunStore Open(string? path = null)
    {
        EnsureSqlite();
        path = System.IO.Path.GetFullPath(path ?? DefaultPath);
        var dir = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
            Pooling = false,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            Execute(connection, $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds};");
            Execute(connection, "PRAGMA journal_mode = WAL;");
            Execute(connection, "PRAGMA foreign_keys = ON;");
            CreateSchema(connection, path);
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new InvalidOperationException($"cannot open the run database {path}: {ex.Message}", ex);
        }
        return new RunStore(path, connection);
    }

    private static void EnsureSqlite()
    {
        lock (InitLock)
        {
            if (sqliteReady) return;
            SQLitePCL.Batteries_V2.Init();
            sqliteReady = true;
        }
    }

    private static void CreateSchema(SqliteConnection c, string path)
    {
        long version = Convert.ToInt64(Scalar(c, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
            throw new InvalidOperationException($"the run database {path} has schema version {version}, newer than this Feynman's {SchemaVersion}; use a newer Feynman or another --db.");
        if (version == SchemaVersion) return;
        using var tx = c.BeginTransaction();
        Execute(c, """
            CREATE TABLE IF NOT EXISTS runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL,
                recipe TEXT,
                parameters TEXT,
                seed INTEGER,
                git_commit TEXT,
                status TEXT NOT NULL,
                started_at TEXT NOT NULL,
                ended_at TEXT,
                pid INTEGER,
                pid_started_at TEXT,
                host TEXT,
                error TEXT);
            CREATE TABLE IF NOT EXISTS epoch_metrics (
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                model TEXT NOT NULL,
                epoch INTEGER NOT NULL,
                key TEXT NOT NULL,
                value REAL,
                PRIMARY KEY (run_id, model, epoch, key));
            CREATE TABLE IF NOT EXISTS final_metrics (
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                model TEXT NOT NULL,
                key TEXT NOT NULL,
                value REAL,
                PRIMARY KEY (run_id, model, key));
            CREATE TABLE IF NOT EXISTS artifacts (
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                path TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (run_id, kind, path));
            CREATE TABLE IF NOT EXISTS documents (
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                json TEXT NOT NULL,
                PRIMARY KEY (run_id, name));
            """, tx);
        Execute(c, $"PRAGMA user_version = {SchemaVersion};", tx);
        tx.Commit();
    }

    /// <summary>
    /// Records a new run as running in this process. <paramref name="gitCommit"/> defaults to
    /// <c>git rev-parse HEAD</c> in the working directory (null outside a repository).
    /// </summary>
    public Run StartRun(string name, string? recipe = null, string? parametersJson = null, ulong? seed = null, string? gitCommit = null)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("a run needs a name.", nameof(name));
        if (parametersJson is not null) ValidateJson(parametersJson);
        gitCommit ??= GitCommit();
        var (pid, pidStarted) = CurrentProcess();
        long id;
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = """
                INSERT INTO runs (name, recipe, parameters, seed, git_commit, status, started_at, pid, pid_started_at, host)
                VALUES ($name, $recipe, $parameters, $seed, $git, 'running', $started, $pid, $pidStarted, $host)
                RETURNING id;
                """;
            cmd.Parameters.AddWithValue("$name", name);
            cmd.Parameters.AddWithValue("$recipe", (object?)recipe ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$parameters", (object?)parametersJson ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$seed", seed is { } s ? unchecked((long)s) : DBNull.Value);
            cmd.Parameters.AddWithValue("$git", (object?)gitCommit ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$started", Now());
            cmd.Parameters.AddWithValue("$pid", pid);
            cmd.Parameters.AddWithValue("$pidStarted", (object?)pidStarted ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$host", Environment.MachineName);
            id = Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        return new Run(this, id, name);
    }

    /// <summary>
    /// Takes up an earlier run again (for --resume): it becomes running in this process, its end time
    /// and error are cleared, and epochs it logs again overwrite the old values.
    /// </summary>
    public Run ResumeRun(long id)
    {
        var summary = GetSummary(id);
        if (summary.Status == RunStatus.Running)
            throw new InvalidOperationException($"run {id} ({summary.Name}) is still running in process {summary.Pid} on {summary.Host}.");
        if (summary.Status == RunStatus.Finished)
            throw new InvalidOperationException($"run {id} ({summary.Name}) has finished; there is nothing to resume.");
        var (pid, pidStarted) = CurrentProcess();
        Write("UPDATE runs SET status = 'running', ended_at = NULL, error = NULL, pid = $pid, pid_started_at = $pidStarted, host = $host WHERE id = $id;",
            ("$pid", pid), ("$pidStarted", pidStarted), ("$host", Environment.MachineName), ("$id", id));
        return new Run(this, id, summary.Name);
    }

    /// <summary>Runs, newest first, at most <paramref name="limit"/> of them.</summary>
    public IReadOnlyList<RunSummary> ListRuns(int? limit = null)
    {
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT {SummaryColumns} FROM runs ORDER BY id DESC{(limit is { } l ? $" LIMIT {Math.Max(0, l)}" : "")};";
            using var reader = cmd.ExecuteReader();
            var result = new List<RunSummary>();
            while (reader.Read()) result.Add(ReadSummary(reader));
            return result;
        }
    }

    /// <summary>The summary of run <paramref name="id"/>; an error names the id when there is none.</summary>
    public RunSummary GetSummary(long id)
    {
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT {SummaryColumns} FROM runs WHERE id = $id;";
            cmd.Parameters.AddWithValue("$id", id);
            using var reader = cmd.ExecuteReader();
            if (!reader.Read()) throw new KeyNotFoundException($"there is no run {id} in {Path}.");
            return ReadSummary(reader);
        }
    }

    /// <summary>Everything recorded about run <paramref name="id"/>.</summary>
    public RunDetails GetRun(long id)
    {
        var summary = GetSummary(id);
        lock (gate)
        {
            string? recipe, parameters;
            using (var cmd = connection.CreateCommand())
            {
                cmd.CommandText = "SELECT recipe, parameters FROM runs WHERE id = $id;";
                cmd.Parameters.AddWithValue("$id", id);
                using var r = cmd.ExecuteReader();
                r.Read();
                recipe = r.IsDBNull(0) ? null : r.GetString(0);
                parameters = r.IsDBNull(1) ? null : r.GetString(1);
            }
            var epochs = Query(id, "SELECT model, epoch, key, value FROM epoch_metrics WHERE run_id = $id ORDER BY model, epoch, key;",
                r => new EpochMetric(r.GetString(0), r.GetInt32(1), r.GetString(2), r.IsDBNull(3) ? double.NaN : r.GetDouble(3)));
            var finals = Query(id, "SELECT model, key, value FROM final_metrics WHERE run_id = $id ORDER BY model, key;",
                r => new FinalMetric(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? double.NaN : r.GetDouble(2)));
            var artifacts = Query(id, "SELECT kind, path, created_at FROM artifacts WHERE run_id = $id ORDER BY created_at, kind, path;",
                r => new Artifact(r.GetString(0), r.GetString(1), ParseTime(r.GetString(2))));
            return new RunDetails(summary, recipe, parameters, epochs, finals, artifacts);
        }
    }

    /// <summary>Final metrics and differing parameters of several runs side by side, in the order given.</summary>
    public RunComparison Compare(IReadOnlyList<long> ids)
    {
        if (ids.Count == 0) throw new ArgumentException("compare needs at least one run id.", nameof(ids));
        var runs = ids.Select(GetRun).ToList();
        var keys = runs.SelectMany(r => r.FinalMetrics.Select(m => (m.Model, m.Key))).Distinct().OrderBy(k => k.Model, StringComparer.Ordinal).ThenBy(k => k.Key, StringComparer.Ordinal);
        var metrics = keys.Select(k => new RunComparison.MetricRow(k.Model, k.Key,
            [.. runs.Select(r => r.FinalMetrics.FirstOrDefault(m => m.Model == k.Model && m.Key == k.Key)?.Value)])).ToList();
        var flat = runs.Select(r => FlattenJson(r.ParametersJson)).ToList();
        var paths = flat.SelectMany(f => f.Keys).Distinct().Order(StringComparer.Ordinal);
        var differences = new List<RunComparison.ParameterRow>();
        foreach (var path in paths)
        {
            var values = flat.Select(f => f.TryGetValue(path, out var v) ? v : null).ToList();
            if (values.Distinct().Count() > 1) differences.Add(new RunComparison.ParameterRow(path, values));
        }
        return new RunComparison([.. runs.Select(r => r.Summary)], metrics, differences);
    }

    /// <summary>A JSON document a run saved with <see cref="Run.SaveDocument"/> (null when there is none).</summary>
    public string? GetDocument(long id, string name)
    {
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT json FROM documents WHERE run_id = $id AND name = $name;";
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$name", name);
            return cmd.ExecuteScalar() as string;
        }
    }

    /// <summary>Deletes a run and everything logged for it.</summary>
    public void DeleteRun(long id) => Write("DELETE FROM runs WHERE id = $id;", ("$id", id));

    // ---------------------------------------------------------------- used by Run

    internal static void ValidateDocument(string name, string json)
    {
        try { using var _ = JsonDocument.Parse(json); }
        catch (JsonException ex) { throw new ArgumentException($"document '{name}' is not valid JSON: {ex.Message}", nameof(json), ex); }
    }

    internal void Write(string sql, params (string Name, object? Value)[] parameters)
    {
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            foreach (var (n, v) in parameters) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
            cmd.ExecuteNonQuery();
        }
    }

    internal void WriteMany(string sql, IEnumerable<(string Name, object? Value)[]> rows)
    {
        lock (gate)
        {
            using var tx = connection.BeginTransaction();
            foreach (var row in rows)
            {
                using var cmd = connection.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = sql;
                foreach (var (n, v) in row) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
        }
    }

    internal static string Now() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);

    // ---------------------------------------------------------------- helpers

    private const string SummaryColumns = "id, name, status, started_at, ended_at, seed, git_commit, pid, pid_started_at, host, error";

    private static RunSummary ReadSummary(SqliteDataReader r)
    {
        var status = Enum.Parse<RunStatus>(r.GetString(2), ignoreCase: true);
        int? pid = r.IsDBNull(7) ? null : r.GetInt32(7);
        string? pidStarted = r.IsDBNull(8) ? null : r.GetString(8);
        string? host = r.IsDBNull(9) ? null : r.GetString(9);
        string? error = r.IsDBNull(10) ? null : r.GetString(10);
        if (status == RunStatus.Running && host == Environment.MachineName && pid is { } p && !IsAlive(p, pidStarted))
        {
            status = RunStatus.Failed;
            error ??= $"process {p} ended without finishing the run (killed or crashed)";
        }
        return new RunSummary(
            r.GetInt64(0), r.GetString(1), status, ParseTime(r.GetString(3)),
            r.IsDBNull(4) ? null : ParseTime(r.GetString(4)),
            r.IsDBNull(5) ? null : unchecked((ulong)r.GetInt64(5)),
            r.IsDBNull(6) ? null : r.GetString(6), pid, host, error);
    }

    // The start time guards against a new process that was given the dead one's pid.
    private static bool IsAlive(int pid, string? startedAt)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited) return false;
            return startedAt is null || ProcessStart(process) == startedAt;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    private static (int Pid, string? StartedAt) CurrentProcess()
    {
        using var self = Process.GetCurrentProcess();
        return (self.Id, ProcessStart(self));
    }

    private static string? ProcessStart(Process process)
    {
        try { return process.StartTime.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture); }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception) { return null; }
    }

    private List<T> Query<T>(long id, string sql, Func<SqliteDataReader, T> read)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$id", id);
        using var reader = cmd.ExecuteReader();
        var result = new List<T>();
        while (reader.Read()) result.Add(read(reader));
        return result;
    }

    private static DateTimeOffset ParseTime(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static void Execute(SqliteConnection c, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    private static void ValidateJson(string json)
    {
        try { using var _ = JsonDocument.Parse(json); }
        catch (JsonException ex) { throw new ArgumentException($"run parameters are not valid JSON: {ex.Message}", nameof(json), ex); }
    }

    /// <summary>JSON flattened to "a.b[2].c" → raw JSON text of each leaf.</summary>
    private static Dictionary<string, string> FlattenJson(string? json)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (json is null) return result;
        using var doc = JsonDocument.Parse(json);
        Walk(doc.RootElement, "");
        return result;

        void Walk(JsonElement e, string path)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject()) Walk(p.Value, path.Length == 0 ? p.Name : $"{path}.{p.Name}");
                    break;
                case JsonValueKind.Array:
                    int i = 0;
                    foreach (var item in e.EnumerateArray()) Walk(item, $"{path}[{i++}]");
                    break;
                default:
                    result[path] = e.GetRawText();
                    break;
            }
        }
    }

    /// <summary>The commit checked out in the working directory, or null when git or a repository is missing.</summary>
    public static string? GitCommit(string? directory = null)
    {
        try
        {
            var start = new ProcessStartInfo("git", ["rev-parse", "HEAD"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = directory ?? Environment.CurrentDirectory,
            };
            using var git = Process.Start(start);
            if (git is null) return null;
            var output = git.StandardOutput.ReadToEndAsync();
            _ = git.StandardError.ReadToEndAsync();
            if (!git.WaitForExit(5000)) { git.Kill(); return null; }
            var text = output.Result.Trim();
            return git.ExitCode == 0 && text.Length >= 40 ? text : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; } // no git on PATH
    }

    public void Dispose()
    {
        lock (gate) connection.Dispose();
    }
}

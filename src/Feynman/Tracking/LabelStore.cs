using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Feynman.Tracking;

/// <summary>
/// Annotators and their labels in SQLite. Every label is kept with its item, label, annotator and time: a
/// second label of the same item (by the same or another person) is a new row, so agreement can be measured.
/// Undo retracts a label (the row stays, with the time of the retraction); reads leave retracted labels out
/// unless asked for them.
/// Annotators are identified by bearer tokens; only the SHA-256 of a token is stored. Safe to use from several
/// threads (one connection behind a lock) and several processes (WAL, busy timeout).
/// </summary>
public sealed class LabelStore : IDisposable
{
    private readonly SqliteConnection connection;
    private readonly Lock gate = new();

    private LabelStore(string path, SqliteConnection connection)
    {
        Path = path;
        this.connection = connection;
    }

    public string Path { get; }

    public static LabelStore Open(string path)
    {
        SQLitePCL.Batteries_V2.Init();
        path = System.IO.Path.GetFullPath(path);
        var dir = System.IO.Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, DefaultTimeout = 30, Pooling = false };
        var c = new SqliteConnection(builder.ToString());
        try
        {
            c.Open();
            Execute(c, "PRAGMA busy_timeout = 30000; PRAGMA journal_mode = WAL;");
            Execute(c, """
                CREATE TABLE IF NOT EXISTS annotators (
                    name TEXT PRIMARY KEY,
                    token_sha256 TEXT NOT NULL UNIQUE,
                    created_at TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS labels (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    item INTEGER NOT NULL,
                    label INTEGER NOT NULL,
                    annotator TEXT NOT NULL REFERENCES annotators(name),
                    at TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS labels_item ON labels(item);
                """);
            // Databases written before undo existed lack the retraction column.
            using (var info = c.CreateCommand())
            {
                info.CommandText = "SELECT COUNT(*) FROM pragma_table_info('labels') WHERE name = 'retracted_at';";
                if (Convert.ToInt64(info.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
                    Execute(c, "ALTER TABLE labels ADD COLUMN retracted_at TEXT;");
            }
        }
        catch (SqliteException ex)
        {
            c.Dispose();
            throw new InvalidOperationException($"cannot open the label database {path}: {ex.Message}", ex);
        }
        return new LabelStore(path, c);
    }

    /// <summary>Adds an annotator and returns their new bearer token (shown once; only its hash is kept).</summary>
    public string AddAnnotator(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100 || name.Any(char.IsControl))
            throw new ArgumentException($"annotator name '{name}' must be 1 to 100 printable characters.", nameof(name));
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "INSERT INTO annotators (name, token_sha256, created_at) VALUES ($n, $h, $t);";
            cmd.Parameters.AddWithValue("$n", name);
            cmd.Parameters.AddWithValue("$h", Hash(token));
            cmd.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            try { cmd.ExecuteNonQuery(); }
            catch (SqliteException ex) when (ex.SqliteErrorCode == 19)
            {
                throw new InvalidOperationException($"an annotator named '{name}' already exists.", ex);
            }
        }
        return token;
    }

    /// <summary>The annotator a bearer token belongs to, or null for an unknown token.</summary>
    public string? Authenticate(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT name FROM annotators WHERE token_sha256 = $h;";
            cmd.Parameters.AddWithValue("$h", Hash(token));
            return cmd.ExecuteScalar() as string;
        }
    }

    public IReadOnlyList<string> Annotators()
    {
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT name FROM annotators ORDER BY name;";
            using var r = cmd.ExecuteReader();
            var names = new List<string>();
            while (r.Read()) names.Add(r.GetString(0));
            return names;
        }
    }

    /// <summary>Stores one label (never replacing an earlier one) and returns it.</summary>
    public StoredLabel AddLabel(int item, int label, string annotator)
    {
        if (item < 0) throw new ArgumentOutOfRangeException(nameof(item), $"item {item} is negative.");
        if (label < 0) throw new ArgumentOutOfRangeException(nameof(label), $"label {label} is negative.");
        var at = DateTimeOffset.UtcNow;
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "INSERT INTO labels (item, label, annotator, at) VALUES ($i, $l, $a, $t) RETURNING id;";
            cmd.Parameters.AddWithValue("$i", item);
            cmd.Parameters.AddWithValue("$l", label);
            cmd.Parameters.AddWithValue("$a", annotator);
            cmd.Parameters.AddWithValue("$t", at.ToString("O", CultureInfo.InvariantCulture));
            long id = Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
            return new StoredLabel(id, item, label, annotator, at);
        }
    }

    /// <summary>Stored labels in the order given (of one item when <paramref name="item"/> is set); retracted ones only when asked.</summary>
    public IReadOnlyList<StoredLabel> Labels(int? item = null, bool includeRetracted = false)
    {
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            var where = new List<string>();
            if (item is int i)
            {
                where.Add("item = $i");
                cmd.Parameters.AddWithValue("$i", i);
            }
            if (!includeRetracted) where.Add("retracted_at IS NULL");
            cmd.CommandText = "SELECT id, item, label, annotator, at, retracted_at FROM labels" + (where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where)) + " ORDER BY id;";
            using var r = cmd.ExecuteReader();
            var list = new List<StoredLabel>();
            while (r.Read()) list.Add(Read(r));
            return list;
        }
    }

    /// <summary>The items that hold at least one label that is not retracted.</summary>
    public HashSet<int> LabelledItems()
    {
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT DISTINCT item FROM labels WHERE retracted_at IS NULL;";
            using var r = cmd.ExecuteReader();
            var items = new HashSet<int>();
            while (r.Read()) items.Add(r.GetInt32(0));
            return items;
        }
    }

    /// <summary>
    /// Undo: marks <paramref name="annotator"/>'s newest label that is not yet retracted as retracted (the row is
    /// kept) and returns it, or null when they have nothing left to undo.
    /// </summary>
    public StoredLabel? RetractLast(string annotator)
    {
        var at = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        lock (gate)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = """
                UPDATE labels SET retracted_at = $t
                WHERE id = (SELECT MAX(id) FROM labels WHERE annotator = $a AND retracted_at IS NULL)
                RETURNING id, item, label, annotator, at, retracted_at;
                """;
            cmd.Parameters.AddWithValue("$a", annotator);
            cmd.Parameters.AddWithValue("$t", at);
            using var r = cmd.ExecuteReader();
            return r.Read() ? Read(r) : null;
        }
    }

    private static StoredLabel Read(SqliteDataReader r) =>
        new(r.GetInt64(0), r.GetInt32(1), r.GetInt32(2), r.GetString(3), DateTimeOffset.Parse(r.GetString(4), CultureInfo.InvariantCulture),
            r.IsDBNull(5) ? null : DateTimeOffset.Parse(r.GetString(5), CultureInfo.InvariantCulture));

    /// <summary>
    /// Writes every label as JSON lines ({"item", "label", "annotator", "at"}); returns how many. Retracted labels
    /// are left out unless <paramref name="includeRetracted"/>, which writes them too with their "retracted_at".
    /// </summary>
    public int Export(string path, bool includeRetracted = false)
    {
        var labels = Labels(includeRetracted: includeRetracted);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false));
        foreach (var l in labels)
            w.WriteLine(l.RetractedAt is { } retracted
                ? System.Text.Json.JsonSerializer.Serialize(new { item = l.Item, label = l.Label, annotator = l.Annotator, at = l.At, retracted_at = retracted })
                : System.Text.Json.JsonSerializer.Serialize(new { item = l.Item, label = l.Label, annotator = l.Annotator, at = l.At }));
        return labels.Count;
    }

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static void Execute(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => connection.Dispose();
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Feynman.Text.Labelling;

/// <summary>
/// Every teacher reply, keyed by the SHA-256 of its full request (model, messages, options), in a SQLite file. A
/// reply is committed before it is used, so a killed or rerun job asks nothing it has asked before and gets the
/// same data back. Thread-safe (one connection behind a lock; requests themselves run outside it).
/// </summary>
public sealed class TeacherCallCache : IDisposable
{
    private static readonly Lazy<bool> SqliteReady = new(() => { SQLitePCL.Batteries_V2.Init(); return true; });

    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();

    private TeacherCallCache(string path, SqliteConnection connection)
    {
        Path = path;
        _connection = connection;
    }

    public string Path { get; }

    public static TeacherCallCache Open(string path)
    {
        _ = SqliteReady.Value;
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir != null) Directory.CreateDirectory(dir);
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = """
                PRAGMA journal_mode=WAL;
                CREATE TABLE IF NOT EXISTS teacher_calls (
                    key TEXT PRIMARY KEY,
                    request TEXT NOT NULL,
                    text TEXT NOT NULL,
                    logprobs TEXT,
                    teacher TEXT NOT NULL,
                    input_tokens INTEGER NOT NULL,
                    output_tokens INTEGER NOT NULL,
                    cost REAL NOT NULL,
                    created TEXT NOT NULL);
                """;
            cmd.ExecuteNonQuery();
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new InvalidOperationException($"cannot open the teacher cache {path}: {ex.Message}", ex);
        }
        return new TeacherCallCache(path, connection);
    }

    public long Count
    {
        get
        {
            lock (_lock)
            {
                using var cmd = _connection.CreateCommand();
                cmd.CommandText = "SELECT COUNT(*) FROM teacher_calls";
                return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>Tokens and dollars of every cached reply: what this cache's requests cost when they were made.</summary>
    public (long Tokens, double Cost) TotalUsage()
    {
        lock (_lock)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT COALESCE(SUM(input_tokens + output_tokens), 0), COALESCE(SUM(cost), 0) FROM teacher_calls";
            using var r = cmd.ExecuteReader();
            r.Read();
            return (r.GetInt64(0), r.GetDouble(1));
        }
    }

    public bool TryGet(string key, out TeacherAnswer answer)
    {
        lock (_lock)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT text, logprobs, teacher, input_tokens, output_tokens, cost FROM teacher_calls WHERE key = $k";
            cmd.Parameters.AddWithValue("$k", key);
            using var r = cmd.ExecuteReader();
            if (!r.Read())
            {
                answer = null!;
                return false;
            }
            answer = new TeacherAnswer(r.GetString(0), r.IsDBNull(1) ? null : ParseLogProbs(r.GetString(1)), r.GetInt64(3), r.GetInt64(4), r.GetDouble(5), r.GetString(2), FromCache: true);
            return true;
        }
    }

    public void Put(string key, string requestJson, TeacherAnswer answer)
    {
        lock (_lock)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = """
                INSERT OR REPLACE INTO teacher_calls (key, request, text, logprobs, teacher, input_tokens, output_tokens, cost, created)
                VALUES ($k, $req, $text, $lp, $teacher, $in, $out, $cost, $created)
                """;
            cmd.Parameters.AddWithValue("$k", key);
            cmd.Parameters.AddWithValue("$req", requestJson);
            cmd.Parameters.AddWithValue("$text", answer.Text);
            cmd.Parameters.AddWithValue("$lp", answer.LogProbs is null ? DBNull.Value : SerializeLogProbs(answer.LogProbs));
            cmd.Parameters.AddWithValue("$teacher", answer.Teacher);
            cmd.Parameters.AddWithValue("$in", answer.InputTokens);
            cmd.Parameters.AddWithValue("$out", answer.OutputTokens);
            cmd.Parameters.AddWithValue("$cost", answer.Cost);
            cmd.Parameters.AddWithValue("$created", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            cmd.ExecuteNonQuery();
        }
    }

    private static string SerializeLogProbs(IReadOnlyList<TokenLogProb> tokens)
    {
        var array = new JsonArray();
        foreach (var t in tokens)
        {
            var top = new JsonArray();
            foreach (var alt in t.Top ?? []) top.Add(new JsonObject { ["t"] = alt.Token, ["lp"] = alt.LogProb });
            array.Add(new JsonObject { ["t"] = t.Token, ["lp"] = t.LogProb, ["top"] = top });
        }
        return array.ToJsonString();
    }

    private static List<TokenLogProb> ParseLogProbs(string json)
    {
        var result = new List<TokenLogProb>();
        foreach (var n in JsonNode.Parse(json)!.AsArray())
        {
            var top = n!["top"]!.AsArray().Select(a => new TokenLogProb(a!["t"]!.GetValue<string>(), a["lp"]!.GetValue<double>())).ToList();
            result.Add(new TokenLogProb(n["t"]!.GetValue<string>(), n["lp"]!.GetValue<double>(), top));
        }
        return result;
    }

    public void Dispose()
    {
        lock (_lock) _connection.Dispose();
    }
}

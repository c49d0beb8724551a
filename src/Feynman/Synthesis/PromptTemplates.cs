namespace Feynman.Synthesis;

/// <summary>
/// The prompt templates of the pipelines, embedded in the library (src/Feynman/Synthesis/Templates). A user copies
/// them out with <c>feynman synth templates --out DIR</c>, edits them, and passes the folder back; a file present
/// in that folder replaces the embedded one of the same name.
/// </summary>
public sealed class PromptTemplates(string? overrideDirectory = null)
{
    public static readonly string[] Names =
    [
        "self_instruct_bootstrap.txt", "self_instruct_bootstrap_clf.txt", "self_instruct_is_classification.txt",
        "self_instruct_input_first.txt", "self_instruct_output_first.txt", "alpaca_prompt.txt",
        "alpaca_train_prompt_input.txt", "alpaca_train_prompt_no_input.txt", "judge.txt",
    ];

    public string? OverrideDirectory { get; } = overrideDirectory;

    public string Get(string name)
    {
        if (OverrideDirectory != null)
        {
            var path = Path.Combine(OverrideDirectory, name);
            if (File.Exists(path)) return File.ReadAllText(path).Replace("\r\n", "\n");
        }
        return Embedded(name);
    }

    public static string Embedded(string name)
    {
        using var s = typeof(PromptTemplates).Assembly.GetManifestResourceStream("Feynman.Synthesis.Templates." + name)
            ?? throw new FileNotFoundException($"no prompt template named '{name}'; known: {string.Join(", ", Names)}.");
        using var r = new StreamReader(s);
        return r.ReadToEnd().Replace("\r\n", "\n");
    }

    /// <summary>Writes every template to <paramref name="directory"/> for editing.</summary>
    public static void Export(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var n in Names) File.WriteAllText(Path.Combine(directory, n), Embedded(n));
    }
}

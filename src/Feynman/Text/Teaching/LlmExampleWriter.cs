using System.Globalization;
using System.Text;
using Feynman.Text.Labelling;
using Microsoft.Extensions.AI;

namespace Feynman.Text.Teaching;

/// <summary>
/// An LLM that writes new labelled examples aimed at the student's failures: the prompt lists the failures (text cut
/// short, true label, the student's answer and confidence) and asks for new, varied examples of those kinds as JSON
/// lines of {"text", "label"}; answers are parsed forgivingly (<see cref="ExampleParsing"/>). Requests go through a
/// <see cref="TeacherCaller"/>, so they are cached (a rerun gets the same examples for free) and budgeted.
/// </summary>
public sealed class LlmExampleWriter(TeacherCaller caller, LlmExampleWriterOptions? options = null) : IExampleWriter, ITeacherMetered
{
    private long _unparsed;

    public LlmExampleWriterOptions Options { get; } = options ?? new LlmExampleWriterOptions();
    public TeacherCaller Caller { get; } = caller;
    public string Name => $"llm:{Caller.Model}";
    public TeacherMeter Meter => Caller.Meter;

    /// <summary>Answer lines that were not a JSON example, over all requests.</summary>
    public long Unparsed => Interlocked.Read(ref _unparsed);

    public async Task<IReadOnlyList<TextExample>> WriteAsync(ExampleRequest request, CancellationToken cancellationToken = default)
    {
        var matcher = new LabelMatcher(request.LabelNames);
        int per = Math.Max(1, Options.PerRequest);
        int batches = (request.Count + per - 1) / per;
        var tasks = new Task<TeacherAnswer>[batches];
        for (int b = 0; b < batches; b++)
        {
            int count = Math.Min(per, request.Count - b * per);
            var chat = new ChatOptions
            {
                Temperature = Options.Temperature,
                Seed = (long)request.Seed * 1000 + b,
                MaxOutputTokens = Math.Max(64, count * Options.TokensPerExample),
            };
            tasks[b] = Caller.AskAsync(Messages(request, count, b), chat, cancellationToken);
        }
        TeacherAnswer[] answers;
        try
        {
            answers = await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not Synthesis.Teachers.BudgetExceededException)
        {
            int done = tasks.Count(t => t.IsCompletedSuccessfully);
            throw new TeacherLabellingException($"writing examples with {Name} failed: {e.Message} ({done} of {batches} requests were answered and are cached; rerun to continue).", e);
        }
        var result = new List<TextExample>();
        for (int b = 0; b < answers.Length; b++)
        {
            var (examples, unparsed) = ExampleParsing.Parse(answers[b].Text, matcher);
            Interlocked.Add(ref _unparsed, unparsed);
            for (int i = 0; i < examples.Count; i++)
                result.Add(new TextExample($"llm-r{request.Round}-b{b}-{i}", examples[i].Text, examples[i].Label));
        }
        return result;
    }

    /// <summary>The conversation asking for <paramref name="count"/> examples (batch <paramref name="batch"/> of the request).</summary>
    public IReadOnlyList<ChatMessage> Messages(ExampleRequest request, int count, int batch)
    {
        string labels = string.Join(", ", request.LabelNames);
        string kind = Options.TextKind;
        var system = $"You write training data for a small classifier that sorts {kind}s into these labels: {labels}. " +
                     "You write realistic, varied examples, each with its correct label." + (Options.Guidance is { Length: > 0 } g ? "\n" + g : "");
        var user = new StringBuilder();
        if (request.Failures.Count > 0)
        {
            user.AppendLine(CultureInfo.InvariantCulture, $"The classifier gets these {kind}s wrong, or is unsure about them:");
            for (int i = 0; i < request.Failures.Count; i++)
            {
                var f = request.Failures[i];
                string text = f.Text.Length > Options.FailureCharacters ? f.Text[..Options.FailureCharacters] + " [...]" : f.Text;
                user.AppendLine(CultureInfo.InvariantCulture,
                    $"{i + 1}. true label: {LabelName(request, f.TrueLabel)}; classifier said: {LabelName(request, f.PredictedLabel)} ({f.Confidence * 100:F0}% sure)\n   \"{text.ReplaceLineEndings(" ")}\"");
            }
            user.AppendLine();
            user.AppendLine(CultureInfo.InvariantCulture, $"Write {count} new {kind}s of the kinds the classifier gets wrong, so it can learn them.");
        }
        else user.AppendLine(CultureInfo.InvariantCulture, $"Write {count} new {kind}s, covering every label.");
        user.AppendLine("Do not copy or closely paraphrase the examples above; vary topic, length, tone and wording, and include hard cases near the boundary between labels.");
        if (batch > 0) user.AppendLine(CultureInfo.InvariantCulture, $"(Batch {batch + 1}: make these different from earlier batches.)");
        user.Append(CultureInfo.InvariantCulture, $"Answer with one JSON object per line and nothing else: {{\"text\": \"...\", \"label\": \"<one of: {labels}>\"}}");
        return [new ChatMessage(ChatRole.System, system), new ChatMessage(ChatRole.User, user.ToString())];
    }

    private static string LabelName(ExampleRequest r, int label) => label >= 0 && label < r.LabelNames.Count ? r.LabelNames[label] : "?";
}

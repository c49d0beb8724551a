using Feynman.Synthesis.Teachers;
using Feynman.Text.Teaching;
using Microsoft.Extensions.AI;

namespace Feynman.Text.Labelling;

/// <summary>
/// Labels texts with an LLM through a <see cref="TeacherCaller"/> (cached, budgeted). The prompt names the label set,
/// optionally after few-shot examples, and asks for the label alone. Soft labels come from the first label token's
/// top_logprobs (mapped to labels by prefix and renormalised over the valid labels) when the endpoint returns them,
/// otherwise from the vote frequencies of k seeded samples. An answer that is not a label is retried with a correction
/// (at most <see cref="LlmLabelerOptions.MaxRetries"/> times), then the text is recorded as rejected with the reason.
/// </summary>
public sealed class LlmTextLabeler(TeacherCaller caller, LlmLabelerOptions? options = null) : ITextLabeler, ITeacherMetered
{
    private const string ProbeText = "This is a short test message.";
    private bool? _logProbsAvailable;
    private readonly SemaphoreSlim _probeLock = new(1, 1);

    public LlmLabelerOptions Options { get; } = options ?? new LlmLabelerOptions();
    public TeacherCaller Caller { get; } = caller;
    public string Name => $"llm:{Caller.Model}";
    public TeacherMeter Meter => Caller.Meter;

    /// <summary>After the first batch in Auto mode: whether the endpoint returns token log-probabilities.</summary>
    public bool? LogProbsAvailable => _logProbsAvailable;

    public async Task<IReadOnlyList<TeacherLabel>> LabelAsync(IReadOnlyList<string> texts, IReadOnlyList<string> labelNames, CancellationToken cancellationToken = default)
    {
        var matcher = new LabelMatcher(labelNames);
        foreach (var ex in Options.FewShot)
            if (ex.Label < 0 || ex.Label >= labelNames.Count)
                throw new ArgumentException($"few-shot example '{ex.Id}' has label {ex.Label}, outside the {labelNames.Count} labels.");
        bool useLogProbs = Options.SoftLabels switch
        {
            SoftLabelSource.LogProbs => true,
            SoftLabelSource.Samples => false,
            _ => await ProbeAsync(matcher, cancellationToken).ConfigureAwait(false),
        };
        var results = new TeacherLabel[texts.Count];
        using var gate = new SemaphoreSlim(Math.Max(1, Options.MaxConcurrency));
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new Task[texts.Count];
        for (int i = 0; i < texts.Count; i++)
        {
            int index = i;
            tasks[i] = Task.Run(async () =>
            {
                await gate.WaitAsync(failed.Token).ConfigureAwait(false);
                try
                {
                    results[index] = useLogProbs
                        ? await LabelWithLogProbsAsync(texts[index], matcher, failed.Token).ConfigureAwait(false)
                        : await LabelWithSamplesAsync(texts[index], matcher, failed.Token).ConfigureAwait(false);
                }
                catch
                {
                    // One failure (budget, a dead endpoint) stops the rest; what was answered is already cached.
                    failed.Cancel();
                    throw;
                }
                finally { gate.Release(); }
            }, CancellationToken.None);
        }
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch
        {
            cancellationToken.ThrowIfCancellationRequested();
            // The first real failure, not the cancellations it caused.
            var first = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            if (first is null) throw;
            if (first is BudgetExceededException) throw first;
            throw new TeacherLabellingException($"labelling with {Name} failed: {first.Message} ({results.Count(r => r is not null)} of {texts.Count} texts were answered and are cached; rerun to continue).", first);
        }
        return results;
    }

    // One cached request decides, for every later batch, whether soft labels can come from logprobs.
    private async Task<bool> ProbeAsync(LabelMatcher matcher, CancellationToken ct)
    {
        if (_logProbsAvailable is bool known) return known;
        await _probeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_logProbsAvailable is bool again) return again;
            var answer = await Caller.AskAsync(Messages(ProbeText, matcher), LogProbOptions(0), ct).ConfigureAwait(false);
            _logProbsAvailable = answer.LogProbs is { Count: > 0 };
            return _logProbsAvailable.Value;
        }
        finally { _probeLock.Release(); }
    }

    private async Task<TeacherLabel> LabelWithLogProbsAsync(string text, LabelMatcher matcher, CancellationToken ct)
    {
        var messages = Messages(text, matcher);
        long tokens = 0;
        double cost = 0;
        var bad = new List<string>();
        for (int attempt = 0; attempt <= Options.MaxRetries; attempt++)
        {
            var answer = await Caller.AskAsync(messages, LogProbOptions(attempt), ct).ConfigureAwait(false);
            tokens += answer.FreshTokens;
            cost += answer.FreshCost;
            int label = matcher.Match(answer.Text);
            if (label < 0)
            {
                bad.Add(answer.Text);
                messages = Correct(messages, answer.Text, matcher);
                continue;
            }
            var probs = SoftLabelsFromLogProbs(answer.LogProbs, matcher) ?? OneHot(label, matcher.LabelNames.Count);
            return new TeacherLabel(ArgMax(probs), probs, null, tokens, (decimal)cost);
        }
        return Rejected(bad, matcher, tokens, cost);
    }

    private async Task<TeacherLabel> LabelWithSamplesAsync(string text, LabelMatcher matcher, CancellationToken ct)
    {
        int k = Math.Max(1, Options.Samples);
        var votes = new float[matcher.LabelNames.Count];
        int valid = 0;
        long tokens = 0;
        double cost = 0;
        var bad = new List<string>();
        for (int s = 0; s < k; s++)
        {
            var messages = Messages(text, matcher);
            for (int attempt = 0; attempt <= Options.MaxRetries; attempt++)
            {
                var o = new ChatOptions
                {
                    Temperature = Options.SampleTemperature,
                    MaxOutputTokens = Options.MaxOutputTokens,
                    Seed = Options.Seed + s + 1000L * attempt,
                };
                var answer = await Caller.AskAsync(messages, o, ct).ConfigureAwait(false);
                tokens += answer.FreshTokens;
                cost += answer.FreshCost;
                int label = matcher.Match(answer.Text);
                if (label >= 0) { votes[label]++; valid++; break; }
                bad.Add(answer.Text);
                messages = Correct(messages, answer.Text, matcher);
            }
        }
        if (valid == 0) return Rejected(bad, matcher, tokens, cost);
        for (int i = 0; i < votes.Length; i++) votes[i] /= valid;
        return new TeacherLabel(ArgMax(votes), votes, null, tokens, (decimal)cost);
    }

    /// <summary>
    /// Probabilities over the labels from the token log-probabilities: at the first token that carries label text,
    /// each alternative adds exp(logprob) to the one label it starts (ambiguous and non-label alternatives add
    /// nothing), and the sums are renormalised over the labels. Null when no alternative names a label.
    /// </summary>
    public static float[]? SoftLabelsFromLogProbs(IReadOnlyList<TokenLogProb>? tokens, LabelMatcher matcher)
    {
        if (tokens is null) return null;
        foreach (var t in tokens)
        {
            if (LabelMatcher.IsBlankToken(t.Token)) continue;
            var alternatives = t.Top is { Count: > 0 } top ? top : [t];
            var mass = new double[matcher.LabelNames.Count];
            double total = 0;
            foreach (var a in alternatives)
            {
                int label = matcher.MatchTokenPrefix(a.Token);
                if (label < 0 || double.IsNaN(a.LogProb)) continue;
                double p = Math.Exp(a.LogProb);
                mass[label] += p;
                total += p;
            }
            if (total <= 0) return null;
            return mass.Select(m => (float)(m / total)).ToArray();
        }
        return null;
    }

    private ChatOptions LogProbOptions(int attempt) => new()
    {
        // Greedy first; a retry samples, or a deterministic endpoint would repeat the same non-label.
        Temperature = attempt == 0 ? 0f : Options.SampleTemperature,
        MaxOutputTokens = Options.MaxOutputTokens,
        Seed = Options.Seed + attempt,
        AdditionalProperties = new AdditionalPropertiesDictionary
        {
            [OpenAIChatClientAdapter.LogProbsKey] = true,
            [OpenAIChatClientAdapter.TopLogProbsKey] = Math.Clamp(Options.TopLogProbs, 1, 20),
        },
    };

    /// <summary>The labelling conversation for one text: instruction, few-shot turns, the text.</summary>
    public IReadOnlyList<ChatMessage> Messages(string text, LabelMatcher matcher)
    {
        string labels = string.Join(", ", matcher.LabelNames);
        string system = $"You label {Options.TextKind}s. The labels are: {labels}. Answer with exactly one of these labels and nothing else."
                        + (Options.Guidance is { Length: > 0 } g ? "\n" + g : "");
        var messages = new List<ChatMessage> { new(ChatRole.System, system) };
        foreach (var ex in Options.FewShot)
        {
            messages.Add(new ChatMessage(ChatRole.User, UserTurn(ex.Text)));
            messages.Add(new ChatMessage(ChatRole.Assistant, matcher.LabelNames[ex.Label]));
        }
        messages.Add(new ChatMessage(ChatRole.User, UserTurn(text)));
        return messages;
    }

    private string UserTurn(string text)
    {
        if (text.Length > Options.MaxTextCharacters) text = text[..Options.MaxTextCharacters] + " [...]";
        return $"{char.ToUpperInvariant(Options.TextKind[0])}{Options.TextKind[1..]}:\n{text}\n\nLabel:";
    }

    private static IReadOnlyList<ChatMessage> Correct(IReadOnlyList<ChatMessage> messages, string answer, LabelMatcher matcher) =>
    [
        .. messages,
        new ChatMessage(ChatRole.Assistant, answer),
        new ChatMessage(ChatRole.User, $"That is not one of the labels. Answer with exactly one of: {string.Join(", ", matcher.LabelNames)}."),
    ];

    private static TeacherLabel Rejected(List<string> bad, LabelMatcher matcher, long tokens, double cost)
    {
        string shown = string.Join("; ", bad.Select(b => $"'{(b.Length > 60 ? b[..60] + "..." : b).ReplaceLineEndings(" ")}'"));
        return new TeacherLabel(-1, null, $"no valid label after {bad.Count} answer{(bad.Count == 1 ? "" : "s")} ({shown}); expected one of: {string.Join(", ", matcher.LabelNames)}", tokens, (decimal)cost);
    }

    private static float[] OneHot(int label, int n)
    {
        var p = new float[n];
        p[label] = 1;
        return p;
    }

    private static int ArgMax(float[] p)
    {
        int best = 0;
        for (int i = 1; i < p.Length; i++) if (p[i] > p[best]) best = i;
        return best;
    }
}

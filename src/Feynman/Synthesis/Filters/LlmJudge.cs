using System.Text.RegularExpressions;
using Feynman.Synthesis.Teachers;
using Microsoft.Extensions.AI;

namespace Feynman.Synthesis.Filters;

/// <summary>
/// Optional LLM-as-judge quality filter: the teacher rates an instruction/input/output triple on a 1-5 rubric
/// (template <c>judge.txt</c>) and the example passes when the score reaches <see cref="MinScore"/>. Answers go
/// through a <see cref="TeacherSession"/>, so they are stored, resumable and within budget.
/// </summary>
public sealed class LlmJudge(TeacherSession session, PromptTemplates templates, int minScore = 4)
{
    public int MinScore { get; } = minScore is >= 1 and <= 5 ? minScore : throw new ArgumentOutOfRangeException(nameof(minScore), $"judge threshold must be 1-5, got {minScore}.");

    public ChatOptions Decoding { get; init; } = new() { Temperature = 0f, MaxOutputTokens = 200 };

    public string Prompt(string instruction, string input, string output) => templates.Get("judge.txt")
        .Replace("{instruction}", instruction).Replace("{input}", input.Length == 0 ? "(none)" : input).Replace("{output}", output);

    public async Task<JudgeVerdict> JudgeAsync(string key, string instruction, string input, string output, CancellationToken ct = default)
    {
        var reply = await session.AskAsync("judge/" + key, Prompt(instruction, input, output), Decoding, ct).ConfigureAwait(false);
        int score = ParseScore(reply.Text);
        return new JudgeVerdict(score, score >= MinScore, reply.Text.Trim(), reply.Teacher);
    }

    /// <summary>The last "Score: N" (N in 1-5) in the answer, or 0.</summary>
    public static int ParseScore(string text)
    {
        var m = Regex.Matches(text, @"Score\s*[:=]\s*\**\s*([1-5])\b", RegexOptions.IgnoreCase);
        return m.Count == 0 ? 0 : m[^1].Groups[1].Value[0] - '0';
    }
}

using System.Text.Json.Nodes;

namespace Feynman.Synthesis.Teachers;

/// <summary>One stored teacher answer: what was asked, what came back, who answered and what it cost.</summary>
public sealed record TeacherReply(string Key, string Prompt, string Text, bool FinishedByLength, string Teacher, long InputTokens, long OutputTokens, double Cost)
{
    public JsonObject ToRecord() => new()
    {
        ["type"] = "response",
        ["key"] = Key,
        ["prompt"] = Prompt,
        ["text"] = Text,
        ["finish_reason"] = FinishedByLength ? "length" : "stop",
        ["teacher"] = Teacher,
        ["input_tokens"] = InputTokens,
        ["output_tokens"] = OutputTokens,
        ["cost"] = Cost,
    };

    public static TeacherReply FromRecord(JsonObject r) => new(
        r["key"]!.GetValue<string>(), r["prompt"]!.GetValue<string>(), r["text"]!.GetValue<string>(),
        r["finish_reason"]?.GetValue<string>() == "length", r["teacher"]?.GetValue<string>() ?? "",
        r["input_tokens"]?.GetValue<long>() ?? 0, r["output_tokens"]?.GetValue<long>() ?? 0, r["cost"]?.GetValue<double>() ?? 0);
}

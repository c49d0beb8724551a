using Feynman.Synthesis.Storage;
using Microsoft.Extensions.AI;

namespace Feynman.Synthesis.Teachers;

/// <summary>
/// Asks a teacher through a <see cref="GenerationStore"/>: a prompt whose key already has a stored response is
/// answered from the store (resume), otherwise it is sent and the response is appended before it is returned.
/// Completion-style prompts (as the papers used) are sent as one user message.
/// </summary>
public sealed class TeacherSession(IChatClient teacher, GenerationStore store, Budget? budget = null)
{
    private long _sent, _reused;

    public IChatClient Teacher { get; } = teacher;
    public GenerationStore Store { get; } = store;
    public Budget? Budget { get; } = budget;
    public long Sent => Interlocked.Read(ref _sent);
    public long Reused => Interlocked.Read(ref _reused);

    public async Task<TeacherReply> AskAsync(string key, string prompt, ChatOptions options, CancellationToken cancellationToken)
    {
        if (Store.TryGetResponse(key, out var stored))
        {
            var old = TeacherReply.FromRecord(stored);
            if (old.Prompt != prompt)
                throw new InvalidDataException($"{Store.Path}: the stored prompt for '{key}' differs from the one this run builds; resume needs the same seeds, templates and options.");
            Interlocked.Increment(ref _reused);
            return old;
        }
        var response = await Teacher.GetResponseAsync([new ChatMessage(ChatRole.User, prompt)], options, cancellationToken).ConfigureAwait(false);
        string teacherName = response.AdditionalProperties?.TryGetValue("teacher", out var t) == true ? t?.ToString() ?? "" : response.ModelId ?? "";
        long inTok = response.Usage?.InputTokenCount ?? TokenEstimate.Of(prompt.Length);
        long outTok = response.Usage?.OutputTokenCount ?? TokenEstimate.Of(response.Text.Length);
        double cost = Teacher is TeacherPool pool ? pool.Endpoints.FirstOrDefault(e => e.DisplayName == teacherName)?.Cost(inTok, outTok) ?? 0 : 0;
        var reply = new TeacherReply(key, prompt, response.Text, response.FinishReason == ChatFinishReason.Length, teacherName, inTok, outTok, cost);
        Store.Append(reply.ToRecord());
        Interlocked.Increment(ref _sent);
        return reply;
    }

    /// <summary>Tokens and dollars recorded in the store by earlier runs (counted against the caps on resume).</summary>
    public (long Tokens, double Cost) StoredUsage()
    {
        long tokens = 0;
        double cost = 0;
        foreach (var r in Store.Records)
        {
            if (r["type"]?.GetValue<string>() != "response") continue;
            tokens += (r["input_tokens"]?.GetValue<long>() ?? 0) + (r["output_tokens"]?.GetValue<long>() ?? 0);
            cost += r["cost"]?.GetValue<double>() ?? 0;
        }
        return (tokens, cost);
    }
}

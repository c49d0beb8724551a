using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Feynman.Synthesis.Teachers;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Feynman.Text.Labelling;

/// <summary>
/// Asks an <see cref="IChatClient"/> (usually a <see cref="TeacherPool"/>) through a <see cref="TeacherCallCache"/>:
/// a request whose key (SHA-256 of model, messages and options) is cached is answered from the cache for free;
/// otherwise it is reserved against the <see cref="Budget"/> (unless the pool already holds that budget), sent, priced,
/// cached and counted on the <see cref="Meter"/>.
/// </summary>
public sealed class TeacherCaller(IChatClient client, string model, TeacherCallCache cache, Budget? budget = null, TeacherEndpoint? pricing = null)
{
    public IChatClient Client { get; } = client;
    public string Model { get; } = model;
    public TeacherCallCache Cache { get; } = cache;
    public Budget? Budget { get; } = budget;
    public TeacherMeter Meter { get; } = new();

    /// <summary>Requests actually sent by this caller (cache misses).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    private long _sent;

    public async Task<TeacherAnswer> AskAsync(IReadOnlyList<AIChatMessage> messages, ChatOptions options, CancellationToken cancellationToken = default)
    {
        var request = CanonicalRequest(Model, messages, options);
        string requestJson = request.ToJsonString();
        string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(requestJson)));
        if (Cache.TryGet(key, out var cached))
        {
            Meter.Add(cached);
            return cached;
        }
        cancellationToken.ThrowIfCancellationRequested();
        // A pool with its own budget reserves and settles each attempt; otherwise this caller does.
        var ownBudget = Client is TeacherPool { Budget: not null } ? null : Budget;
        long promptTokens = TokenEstimate.Of(messages.Sum(m => m.Text.Length));
        long maxOut = options.MaxOutputTokens ?? 1024;
        var reservation = ownBudget?.Reserve(promptTokens + maxOut, pricing?.Cost(promptTokens, maxOut) ?? 0);
        long usedTokens = 0;
        double usedCost = 0;
        try
        {
            var response = await Client.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            string teacher = response.AdditionalProperties?.TryGetValue("teacher", out var t) == true ? t?.ToString() ?? "" : response.ModelId ?? Model;
            long inTok = response.Usage?.InputTokenCount ?? promptTokens;
            long outTok = response.Usage?.OutputTokenCount ?? TokenEstimate.Of(response.Text.Length);
            double cost = Client is TeacherPool pool
                ? pool.Endpoints.FirstOrDefault(e => e.DisplayName == teacher)?.Cost(inTok, outTok) ?? 0
                : pricing?.Cost(inTok, outTok) ?? 0;
            usedTokens = inTok + outTok;
            usedCost = cost;
            var answer = new TeacherAnswer(response.Text, LogProbsOf(response), inTok, outTok, cost, teacher, FromCache: false);
            Cache.Put(key, requestJson, answer);
            Interlocked.Increment(ref _sent);
            Meter.Add(answer);
            return answer;
        }
        finally
        {
            if (reservation is { } r) ownBudget!.Settle(r, usedTokens, usedCost);
        }
    }

    /// <summary>The request as the cache key sees it: everything that can change the answer, in a fixed order.</summary>
    public static JsonObject CanonicalRequest(string model, IReadOnlyList<AIChatMessage> messages, ChatOptions options)
    {
        var msgs = new JsonArray();
        foreach (var m in messages) msgs.Add(new JsonObject { ["role"] = m.Role.Value, ["content"] = m.Text });
        var o = new JsonObject
        {
            ["model"] = options.ModelId ?? model,
            ["messages"] = msgs,
            ["temperature"] = options.Temperature,
            ["top_p"] = options.TopP,
            ["max_tokens"] = options.MaxOutputTokens,
            ["seed"] = options.Seed,
            ["stop"] = options.StopSequences is { Count: > 0 } s ? new JsonArray([.. s.Select(x => (JsonNode?)x)]) : null,
        };
        if (options.AdditionalProperties is { } extra)
            foreach (var (k, v) in extra.OrderBy(p => p.Key, StringComparer.Ordinal))
                o["x_" + k] = v?.ToString();
        return o;
    }

    /// <summary>Token log-probabilities from the OpenAI SDK's completion, or from AdditionalProperties["logprobs"] of another client.</summary>
    public static IReadOnlyList<TokenLogProb>? LogProbsOf(ChatResponse response)
    {
        if (response.AdditionalProperties?.TryGetValue("logprobs", out var given) == true && given is IReadOnlyList<TokenLogProb> list)
            return list;
        if (response.RawRepresentation is ChatCompletion { ContentTokenLogProbabilities: { Count: > 0 } tokens })
            return tokens.Select(t => new TokenLogProb(t.Token, t.LogProbability,
                t.TopLogProbabilities.Select(a => new TokenLogProb(a.Token, a.LogProbability)).ToList())).ToList();
        return null;
    }
}

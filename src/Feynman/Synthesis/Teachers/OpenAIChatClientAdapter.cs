using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;
using SdkChatClient = OpenAI.Chat.ChatClient;

namespace Feynman.Synthesis.Teachers;

/// <summary>
/// <see cref="IChatClient"/> over the OpenAI .NET SDK's <see cref="SdkChatClient"/> (Microsoft.Extensions.AI.OpenAI is not
/// available here, so this is the adapter it would provide). The SDK's own retries are switched off: retries,
/// Retry-After and timeouts belong to <see cref="TeacherPool"/>, which sees every endpoint. HTTP errors surface as
/// <see cref="TeacherRequestException"/> carrying the status and Retry-After.
/// </summary>
public sealed class OpenAIChatClientAdapter : IChatClient
{
    private readonly SdkChatClient _client;
    private readonly ChatClientMetadata _metadata;

    public OpenAIChatClientAdapter(TeacherEndpoint endpoint, HttpClient? httpClient = null)
    {
        Endpoint = endpoint;
        string key = (endpoint.ApiKeyVariable is { Length: > 0 } v ? Environment.GetEnvironmentVariable(v) : null) ?? "";
        var options = new OpenAIClientOptions
        {
            Endpoint = endpoint.BaseUrl,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = Timeout.InfiniteTimeSpan, // the pool's per-attempt timeout cancels instead
        };
        if (httpClient != null) options.Transport = new HttpClientPipelineTransport(httpClient);
        // Local servers take any key; the SDK insists on a non-empty one.
        _client = new SdkChatClient(endpoint.Model, new ApiKeyCredential(key.Length > 0 ? key : "no-key"), options);
        _metadata = new ChatClientMetadata("openai-compatible", endpoint.BaseUrl, endpoint.Model);
    }

    public TeacherEndpoint Endpoint { get; }

    /// <summary>ChatOptions.AdditionalProperties key: true asks for token log-probabilities.</summary>
    public const string LogProbsKey = "logprobs";

    /// <summary>ChatOptions.AdditionalProperties key: how many alternatives (int) per token.</summary>
    public const string TopLogProbsKey = "top_logprobs";

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var sdkMessages = messages.Select(ToSdk).ToList();
        var sdkOptions = new ChatCompletionOptions
        {
            Temperature = options?.Temperature,
            TopP = options?.TopP,
            MaxOutputTokenCount = options?.MaxOutputTokens,
            FrequencyPenalty = options?.FrequencyPenalty,
            PresencePenalty = options?.PresencePenalty,
        };
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK
        if (options?.Seed is long seed) sdkOptions.Seed = seed;
#pragma warning restore OPENAI001
        if (options?.StopSequences is { Count: > 0 } stops) foreach (var s in stops) sdkOptions.StopSequences.Add(s);
        // Token log-probabilities (soft labels) are asked for through ChatOptions.AdditionalProperties; the answer's
        // are in RawRepresentation (the SDK's ChatCompletion.ContentTokenLogProbabilities).
        if (options?.AdditionalProperties is { } extra && extra.TryGetValue(LogProbsKey, out var lp) && lp is true)
        {
            sdkOptions.IncludeLogProbabilities = true;
            if (extra.TryGetValue(TopLogProbsKey, out var top) && top is int n && n > 0) sdkOptions.TopLogProbabilityCount = n;
        }
        ChatCompletion completion;
        try
        {
            completion = (await _client.CompleteChatAsync(sdkMessages, sdkOptions, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (ClientResultException e)
        {
            var raw = e.GetRawResponse();
            string? ra = null, raMs = null;
            raw?.Headers.TryGetValue("Retry-After", out ra);
            raw?.Headers.TryGetValue("retry-after-ms", out raMs);
            var status = (HttpStatusCode)(e.Status == 0 ? 503 : e.Status);
            throw new TeacherRequestException(Endpoint.DisplayName, status, TeacherRequestException.ParseRetryAfter(ra, raMs, DateTimeOffset.UtcNow), Short(e.Message), e);
        }
        string text = string.Concat(completion.Content.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text));
        var response = new ChatResponse(new AIChatMessage(AIChatRole.Assistant, text))
        {
            ModelId = completion.Model,
            ResponseId = completion.Id,
            FinishReason = completion.FinishReason switch
            {
                OpenAI.Chat.ChatFinishReason.Length => Microsoft.Extensions.AI.ChatFinishReason.Length,
                OpenAI.Chat.ChatFinishReason.ContentFilter => Microsoft.Extensions.AI.ChatFinishReason.ContentFilter,
                OpenAI.Chat.ChatFinishReason.ToolCalls or OpenAI.Chat.ChatFinishReason.FunctionCall => Microsoft.Extensions.AI.ChatFinishReason.ToolCalls,
                _ => Microsoft.Extensions.AI.ChatFinishReason.Stop,
            },
            RawRepresentation = completion,
        };
        if (completion.Usage is { } u)
            response.Usage = new UsageDetails { InputTokenCount = u.InputTokenCount, OutputTokenCount = u.OutputTokenCount, TotalTokenCount = u.TotalTokenCount };
        return response;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Generation pipelines need whole responses (finish reason, usage); streaming is the non-streaming answer in one update.
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates()) yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey != null ? null
        : serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : serviceType == typeof(SdkChatClient) ? _client
        : null;

    public void Dispose() { }

    private static OpenAI.Chat.ChatMessage ToSdk(AIChatMessage m)
    {
        string text = m.Text;
        if (m.Role == AIChatRole.System) return new SystemChatMessage(text);
        if (m.Role == AIChatRole.Assistant) return new AssistantChatMessage(text);
        if (m.Role == AIChatRole.User) return new UserChatMessage(text);
        throw new ArgumentException($"chat role '{m.Role}' is not supported by the teacher adapter (system, user, assistant only).");
    }

    private static string Short(string s) => s.Length > 300 ? s[..300] + "..." : s;
}

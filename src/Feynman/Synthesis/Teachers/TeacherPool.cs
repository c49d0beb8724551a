using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Feynman.Synthesis.Teachers;

/// <summary>
/// Several OpenAI-compatible endpoints behind one <see cref="IChatClient"/>: at most
/// <see cref="TeacherPoolOptions.MaxInFlight"/> requests at once, each attempt sent to the least-loaded endpoint
/// (in-flight / capacity, skipping endpoints cooling down after a 429), retried with Polly on 429 (after the
/// server's Retry-After), 408, 5xx, timeouts and connection errors, and counted per endpoint in tokens and dollars
/// against an optional <see cref="Budget"/>. A response carries the endpoint's name in
/// <c>AdditionalProperties["teacher"]</c>.
/// </summary>
public sealed class TeacherPool : IChatClient
{
    private readonly Member[] _members;
    private readonly SemaphoreSlim _gate;
    private readonly ResiliencePipeline _pipeline;
    private int _inFlight;

    public TeacherPool(IEnumerable<TeacherEndpoint> endpoints, TeacherPoolOptions? options = null, Budget? budget = null, HttpClient? httpClient = null)
        : this(endpoints.Select(e => (e, (IChatClient)new OpenAIChatClientAdapter(e, httpClient))), options, budget)
    {
    }

    /// <summary>A pool over given clients (any <see cref="IChatClient"/>), each priced and sized by its endpoint.</summary>
    public TeacherPool(IEnumerable<(TeacherEndpoint Endpoint, IChatClient Client)> members, TeacherPoolOptions? options = null, Budget? budget = null)
    {
        _members = members.Select(m => new Member(m.Endpoint, m.Client)).ToArray();
        if (_members.Length == 0) throw new ArgumentException("a teacher pool needs at least one endpoint.", nameof(members));
        Options = options ?? new TeacherPoolOptions();
        if (Options.MaxInFlight < 1) throw new ArgumentException($"MaxInFlight must be at least 1, got {Options.MaxInFlight}.", nameof(options));
        Budget = budget;
        _gate = new SemaphoreSlim(Options.MaxInFlight, Options.MaxInFlight);
        _pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(0, Options.MaxRetries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = Options.BaseDelay,
                MaxDelay = Options.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && IsTransient(e, args.Context.CancellationToken)),
                // Honour the server: after a 429/503 with Retry-After, wait exactly that long.
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is TeacherRequestException { RetryAfter: TimeSpan ra }
                    ? (TimeSpan?)(ra > Options.MaxDelay ? Options.MaxDelay : ra) : null),
                OnRetry = _ => { Interlocked.Increment(ref _retries); return ValueTask.CompletedTask; },
            })
            .AddTimeout(Options.AttemptTimeout)
            .Build();
    }

    private long _retries;

    public TeacherPoolOptions Options { get; }
    public Budget? Budget { get; }
    public IReadOnlyList<TeacherEndpoint> Endpoints => _members.Select(m => m.Endpoint).ToArray();

    /// <summary>Requests admitted and not yet finished (sending, or waiting to retry).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public long Retries => Interlocked.Read(ref _retries);

    public IReadOnlyList<TeacherUsage> Usage() => _members.Select(m => m.Snapshot()).ToArray();

    public double TotalCost => _members.Sum(m => m.Snapshot().Cost);

    public long TotalTokens => _members.Sum(m => { var s = m.Snapshot(); return s.InputTokens + s.OutputTokens; });

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        long promptTokens = TokenEstimate.Of(list.Sum(m => m.Text.Length));
        long maxOut = options?.MaxOutputTokens ?? Options.DefaultMaxOutputTokens;
        double worstPrice = _members.Max(m => m.Endpoint.Cost(promptTokens, maxOut));
        long usedTokens = 0;
        double usedCost = 0;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        // Reserve only once admitted: requests queued behind the gate must not hold budget they are not yet using.
        (long, double)? reservation;
        try { reservation = Budget?.Reserve(promptTokens + maxOut, worstPrice); }
        catch { _gate.Release(); throw; }
        Interlocked.Increment(ref _inFlight);
        try
        {
            return await _pipeline.ExecuteAsync(async ct =>
            {
                var member = PickLeastLoaded();
                Interlocked.Increment(ref member.InFlight);
                try
                {
                    var response = await member.Client.GetResponseAsync(list, options, ct).ConfigureAwait(false);
                    long inTok = response.Usage?.InputTokenCount ?? promptTokens;
                    long outTok = response.Usage?.OutputTokenCount ?? TokenEstimate.Of(response.Text.Length);
                    double cost = member.Endpoint.Cost(inTok, outTok);
                    member.Record(inTok, outTok, cost);
                    usedTokens = inTok + outTok;
                    usedCost = cost;
                    (response.AdditionalProperties ??= [])["teacher"] = member.Endpoint.DisplayName;
                    return response;
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref member.Failures);
                    if (e is TeacherRequestException { RetryAfter: TimeSpan ra })
                        member.CoolDownUntil(DateTime.UtcNow + ra);
                    throw;
                }
                finally
                {
                    Interlocked.Decrement(ref member.InFlight);
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _gate.Release();
            if (reservation is { } r) Budget!.Settle(r, usedTokens, usedCost);
        }
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var u in response.ToChatResponseUpdates()) yield return u;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey == null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
        foreach (var m in _members) m.Client.Dispose();
        _gate.Dispose();
    }

    private Member PickLeastLoaded()
    {
        var now = DateTime.UtcNow;
        Member? best = null;
        double bestLoad = double.MaxValue;
        bool bestCooling = true;
        foreach (var m in _members)
        {
            bool cooling = m.CoolingUntilTicks > now.Ticks;
            double load = (double)Volatile.Read(ref m.InFlight) / Math.Max(1, m.Endpoint.MaxConcurrency);
            // An endpoint that asked us to wait is used only when every endpoint did.
            if (best == null || (bestCooling && !cooling) || (cooling == bestCooling && load < bestLoad))
            {
                best = m;
                bestLoad = load;
                bestCooling = cooling;
            }
        }
        return best!;
    }

    private static bool IsTransient(Exception e, CancellationToken caller) => e switch
    {
        TeacherRequestException t => t.IsTransient,
        TimeoutRejectedException => true,
        HttpRequestException or IOException or SocketException => true,
        OperationCanceledException => !caller.IsCancellationRequested, // an HTTP-level timeout, not the caller stopping
        _ => false,
    };

    private sealed class Member(TeacherEndpoint endpoint, IChatClient client)
    {
        public readonly TeacherEndpoint Endpoint = endpoint;
        public readonly IChatClient Client = client;
        public int InFlight;
        public long Failures;
        public long CoolingUntilTicks;
        private readonly Lock _lock = new();
        private long _requests, _in, _out;
        private double _cost;

        public void CoolDownUntil(DateTime until) => Interlocked.Exchange(ref CoolingUntilTicks, Math.Max(Interlocked.Read(ref CoolingUntilTicks), until.Ticks));

        public void Record(long inTok, long outTok, double cost)
        {
            lock (_lock) { _requests++; _in += inTok; _out += outTok; _cost += cost; }
        }

        public TeacherUsage Snapshot()
        {
            lock (_lock) return new TeacherUsage(Endpoint.DisplayName, _requests, Interlocked.Read(ref Failures), _in, _out, _cost, Volatile.Read(ref InFlight));
        }
    }
}

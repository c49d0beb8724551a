namespace Feynman.Synthesis.Teachers;

/// <summary>Concurrency, retry and timeout settings of a <see cref="TeacherPool"/>.</summary>
public sealed class TeacherPoolOptions
{
    /// <summary>Requests in flight at once across all endpoints (including those waiting to retry).</summary>
    public int MaxInFlight { get; init; } = 32;

    /// <summary>Retries after the first attempt, on 429, 408, 5xx, timeouts and connection errors.</summary>
    public int MaxRetries { get; init; } = 6;

    /// <summary>First back-off delay (exponential with jitter) when the server gives no Retry-After.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Each attempt is cancelled and retried after this long.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>Completion tokens assumed for budgeting when a request sets no max_tokens.</summary>
    public int DefaultMaxOutputTokens { get; init; } = 1024;
}

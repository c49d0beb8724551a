using System.Net;

namespace Feynman.Synthesis.Teachers;

/// <summary>An HTTP error from a teacher endpoint, with the server's Retry-After when it sent one.</summary>
public sealed class TeacherRequestException(string endpoint, HttpStatusCode status, TimeSpan? retryAfter, string message, Exception? inner = null)
    : Exception($"teacher '{endpoint}' answered {(int)status} {status}: {message}", inner)
{
    public string Endpoint { get; } = endpoint;
    public HttpStatusCode Status { get; } = status;
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>429, 408 and 5xx are worth retrying; 400, 401, 403, 404 are not.</summary>
    public bool IsTransient => Status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)Status >= 500;

    /// <summary>Parses Retry-After (delta-seconds or an HTTP date) and the OpenAI-style retry-after-ms.</summary>
    public static TimeSpan? ParseRetryAfter(string? retryAfter, string? retryAfterMs, DateTimeOffset now)
    {
        if (retryAfterMs != null && double.TryParse(retryAfterMs, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double ms) && ms >= 0)
            return TimeSpan.FromMilliseconds(ms);
        if (retryAfter == null) return null;
        if (double.TryParse(retryAfter, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s) && s >= 0)
            return TimeSpan.FromSeconds(s);
        if (DateTimeOffset.TryParse(retryAfter, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
            return at > now ? at - now : TimeSpan.Zero;
        return null;
    }
}

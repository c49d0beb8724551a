using System.Text.Json;
using System.Text.Json.Serialization;

namespace Feynman.Tracking.Reports;

/// <summary>A <see cref="ReportModel"/> as JSON, to keep with a run (<see cref="Run.SaveDocument"/>) and render again later.</summary>
public static class ReportJson
{
    /// <summary>The document name under which runs keep their report model.</summary>
    public const string DocumentName = "report";

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = false,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Empty reliability bins have NaN confidence and accuracy.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Serialize(ReportModel model) => JsonSerializer.Serialize(model, Options);

    public static ReportModel Deserialize(string json) =>
        JsonSerializer.Deserialize<ReportModel>(json, Options) ?? throw new InvalidDataException("the report document is empty (null).");
}

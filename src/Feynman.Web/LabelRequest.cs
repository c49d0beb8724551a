namespace Feynman.Web;

/// <summary>The body of <c>POST /api/labels</c>: <c>{"item": ID, "label": L}</c>.</summary>
public sealed record LabelRequest(int? Item, int? Label);

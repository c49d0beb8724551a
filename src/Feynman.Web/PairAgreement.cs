namespace Feynman.Web;

/// <summary>Two annotators on the items both labelled: how many, the share they agree on, and Cohen's kappa (null when chance agreement is 1).</summary>
public sealed record PairAgreement(string First, string Second, int Items, double Agreement, double? Kappa);

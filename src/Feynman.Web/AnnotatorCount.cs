namespace Feynman.Web;

/// <summary>How many labels one annotator holds, and how many they undid.</summary>
public sealed record AnnotatorCount(string Name, int Labels, int Retracted);

namespace Feynman.Text.Labelling;

/// <summary>A teacher could not be asked, to label or to write examples (endpoint down after its retries, timeouts, a refused request); the answers
/// obtained before it are in the cache, so a rerun continues where this one stopped.</summary>
public sealed class TeacherLabellingException(string message, Exception inner) : Exception(message, inner);

namespace Feynman.Synthesis.Teachers;

/// <summary>What one teacher endpoint has done so far: answered requests, failed attempts, tokens and dollars.</summary>
public sealed record TeacherUsage(string Teacher, long Requests, long FailedAttempts, long InputTokens, long OutputTokens, double Cost, int InFlight);

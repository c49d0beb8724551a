namespace Feynman.Text.Labelling;

/// <summary>A labeller or writer that calls a paid teacher exposes its meter; components sharing one
/// <see cref="TeacherCaller"/> return the same meter object, so the loop counts it once.</summary>
public interface ITeacherMetered
{
    TeacherMeter Meter { get; }
}

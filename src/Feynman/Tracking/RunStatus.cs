namespace Feynman.Tracking;

/// <summary>What became of a run. A run still marked running whose process is gone is reported as failed.</summary>
public enum RunStatus
{
    Running,
    Finished,
    Failed,
    Interrupted,
}

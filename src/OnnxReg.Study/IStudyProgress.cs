using OnnxReg.Training;

namespace OnnxReg.Study;

/// <summary>Receives the study's progress (a live display or plain log lines).</summary>
public interface IStudyProgress
{
    /// <summary>Run <paramref name="index"/> (1-based) of <paramref name="total"/> starts, for up to <paramref name="epochs"/> epochs.</summary>
    void RunStarting(int index, int total, string name, int epochs);

    /// <summary>An epoch of the current run finished.</summary>
    void EpochFinished(EpochMetrics metrics);

    /// <summary>A run finished; <paramref name="reused"/> is true when a finished earlier run was kept instead of retraining.</summary>
    void RunFinished(int index, int total, RunResult result, bool reused);

    /// <summary>Run <paramref name="index"/> is being trained by another process (another shard), whose record is
    /// <paramref name="holder"/>; this one moves on and comes back to it.</summary>
    void RunClaimedElsewhere(int index, int total, string name, string holder)
    {
    }
}

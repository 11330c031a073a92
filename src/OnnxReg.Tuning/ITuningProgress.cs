namespace OnnxReg.Tuning;

/// <summary>Receives the tuner's progress (plain log lines on the command line).</summary>
public interface ITuningProgress
{
    /// <summary>A stage begins: <paramref name="description"/> says what it trains.</summary>
    void StageStarting(string description);

    /// <summary>A trial starts training.</summary>
    void TrialStarting(string name, int epochs);

    /// <summary>A trial finished (or was found finished: <paramref name="reused"/>).</summary>
    void TrialFinished(string name, TrialResult result, bool reused);

    /// <summary>A trial is being trained by another process (another shard); this one waits for it.</summary>
    void TrialClaimedElsewhere(string name, string holder)
    {
    }
}

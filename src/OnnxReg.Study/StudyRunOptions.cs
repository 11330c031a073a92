using OnnxReg.Experiments;
namespace OnnxReg.Study;

/// <summary>How <see cref="StudyRunner"/> runs a study.</summary>
/// <param name="Force">Retrain every run, even one already finished with the same settings (unsharded only).</param>
/// <param name="Shard">This process's shard when several share the folder; null for the whole study in one process.</param>
/// <param name="ReportOnly">Train nothing: write the report from the runs that have finished.</param>
/// <param name="PollInterval">How long a shard waits before looking again at runs other shards hold (default 5 s).</param>
public sealed record StudyRunOptions(bool Force = false, StudyShard? Shard = null, bool ReportOnly = false, TimeSpan? PollInterval = null);

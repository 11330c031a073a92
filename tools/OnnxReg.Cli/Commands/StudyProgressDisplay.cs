using System.Globalization;
using OnnxReg.Study;
using OnnxReg.Training;
using Spectre.Console;

namespace OnnxReg.Cli.Commands;

/// <summary>
/// Shows a study's progress: a live Spectre.Console display (runs done/total with ETA, the current run's epochs and
/// loss) on a terminal, or one plain line per epoch and per run when output is redirected or in CI.
/// </summary>
internal static class StudyProgressDisplay
{
    public static StudyReport Run(CliConsole console, bool live, Func<IStudyProgress, StudyReport> study)
    {
        if (!live)
            return study(new PlainProgress(console));
        StudyReport? report = null;
        // Redrawn from the study's own thread when something changes, never by Spectre's refresh thread: a thread that
        // allocates while a run is inside libtorch can start a collection that frees a Scalar TorchSharp passed to it.
        AnsiConsole.Progress()
            .AutoRefresh(false)
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context => report = study(new LiveProgress(context)));
        return report!;
    }

    private sealed class PlainProgress(CliConsole console) : IStudyProgress
    {
        private string _run = "";
        private int _epochs;

        public void RunStarting(int index, int total, string name, int epochs)
        {
            _run = $"[{index}/{total}] {name}";
            _epochs = epochs;
            console.Line($"{_run}: training");
        }

        public void EpochFinished(EpochMetrics m) => console.Line($"{_run}: {RunDescription.Epoch(m, _epochs)}");

        public void RunFinished(int index, int total, RunResult r, bool reused) => console.Line(string.Create(CultureInfo.InvariantCulture,
            $"[{index}/{total}] {RunResult.FolderName(r.Model, r.Technique, r.Seed)}: {(reused ? "reused (already finished)" : $"done in {r.Seconds:0.0} s")}; " +
            $"ONNX Runtime test accuracy {r.Test.Accuracy:0.0000}, loss {r.Test.Loss:0.0000}, train-test gap {r.AccuracyGap:+0.0000;-0.0000}"));

        public void RunClaimedElsewhere(int index, int total, string name, string holder) =>
            console.Line($"[{index}/{total}] {name}: being trained by another process ({holder}); coming back to it");
    }

    private sealed class LiveProgress : IStudyProgress
    {
        private readonly ProgressContext _context;
        private readonly ProgressTask _overall;
        private readonly ProgressTask _current;
        private int _done; // runs finish out of order when shards share the study

        public LiveProgress(ProgressContext context)
        {
            _context = context;
            _overall = context.AddTask("runs");
            _current = context.AddTask("current run");
        }

        public void RunStarting(int index, int total, string name, int epochs)
        {
            _overall.MaxValue = total;
            _overall.Description = $"runs {_done}/{total}";
            _current.MaxValue = epochs;
            _current.Value = 0;
            _current.Description = Markup.Escape(name);
            _context.Refresh();
        }

        public void EpochFinished(EpochMetrics m)
        {
            _current.Value = m.Epoch;
            _current.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"{_current.Description.Split(' ')[0]} epoch {m.Epoch} loss {m.TrainLoss:0.000} val_loss {m.ValidationLoss:0.000}"));
            _context.Refresh();
        }

        public void RunFinished(int index, int total, RunResult r, bool reused)
        {
            _overall.MaxValue = total;
            _overall.Value = ++_done;
            _overall.Description = $"runs {_done}/{total}";
            if (reused) _current.Description = Markup.Escape($"{RunResult.FolderName(r.Model, r.Technique, r.Seed)} reused");
            _current.Value = _current.MaxValue;
            _context.Refresh();
        }
    }
}

using System.Globalization;
using OnnxReg.Training;
using OnnxReg.Training.Callbacks;
using static TorchSharp.torch;

namespace OnnxReg.Cli.Commands;

/// <summary>
/// A live line under the epoch lines on a terminal — batches done, a bar, images per second and the epoch's time left —
/// redrawn in place at most five times a second and erased before the epoch's own line is printed. Redirected output
/// (files, CI logs, tests) gets none of it, only the epoch lines.
/// </summary>
internal sealed class BatchProgressLine(CliConsole console, int epochs) : ITrainingCallback
{
    private const int BarWidth = 24;
    // Asked once: whether output is a terminal does not change during a run, and this runs after every batch.
    private readonly bool _interactive = console.IsInteractive;
    private double _lastDraw = double.NegativeInfinity;
    private int _drawnLength;

    public void OnTrainBegin(nn.Module model)
    {
    }

    public void OnBatchEnd(BatchProgress progress)
    {
        if (!_interactive || (progress.Seconds - _lastDraw < 0.2 && progress.Batch < progress.BatchCount))
            return;
        _lastDraw = progress.Seconds;
        var line = Render(progress, epochs);
        console.Output.Write("\r" + line + new string(' ', Math.Max(0, _drawnLength - line.Length)));
        console.Output.Flush();
        _drawnLength = line.Length;
    }

    public StopRequest? OnEpochEnd(nn.Module model, EpochMetrics metrics)
    {
        Erase();
        return null;
    }

    public void OnTrainEnd(nn.Module model) => Erase();

    private void Erase()
    {
        if (_drawnLength > 0) console.Output.Write("\r" + new string(' ', _drawnLength) + "\r");
        (_drawnLength, _lastDraw) = (0, double.NegativeInfinity);
    }

    /// <summary>The line for <paramref name="progress"/>: e.g. <c>epoch 3/12 [##########--------------] 18/43  1,234 img/s  ETA 7 s</c>.</summary>
    public static string Render(BatchProgress progress, int epochs)
    {
        int filled = (int)((long)BarWidth * progress.Batch / Math.Max(1, progress.BatchCount));
        double rate = progress.Seconds > 0 ? progress.Images / progress.Seconds : 0;
        double perBatch = progress.Seconds / Math.Max(1, progress.BatchesRun);
        string eta = rate > 0 ? $"ETA {FormatSeconds(perBatch * (progress.BatchCount - progress.Batch))}" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"epoch {progress.Epoch,3}/{epochs} [{new string('#', filled)}{new string('-', BarWidth - filled)}] {progress.Batch}/{progress.BatchCount}  loss {progress.Loss:0.0000}  {rate:N0} img/s  {eta}").TrimEnd();
    }

    private static string FormatSeconds(double seconds) => seconds < 90
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds:0} s")
        : string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0.0} min");
}

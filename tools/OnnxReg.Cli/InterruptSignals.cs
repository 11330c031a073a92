using System.Runtime.InteropServices;

namespace OnnxReg.Cli;

/// <summary>
/// Turns Ctrl+C (SIGINT) and SIGTERM into a cancellation token. The first signal cancels: training stops at the end
/// of its batch and writes a checkpoint. Further signals while that happens are ignored rather than killing the
/// process half-way (System.CommandLine's own handler crashed with a stack trace on a second Ctrl+C 20 ms after the
/// first); a process that must die at once can still be sent SIGKILL, and every file it writes is atomic.
/// </summary>
internal sealed class InterruptSignals : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly PosixSignalRegistration[] _registrations;

    private InterruptSignals()
    {
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    /// <summary>Cancelled by the first SIGINT or SIGTERM.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>Starts listening; dispose to restore the default handling.</summary>
    public static InterruptSignals Listen() => new();

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // never the default termination: the command finishes its checkpoint and exits 130
        try
        {
            if (!_cancellation.IsCancellationRequested) _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // the command already finished; nothing is left to stop
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _cancellation.Dispose();
    }
}

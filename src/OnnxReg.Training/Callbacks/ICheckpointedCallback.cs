using System.Text.Json.Nodes;

namespace OnnxReg.Training.Callbacks;

/// <summary>
/// A callback whose state survives an interruption: the trainer stores <see cref="SaveState"/> in every checkpoint under
/// <see cref="StateKey"/> and hands it back to <see cref="RestoreState"/> on resume, so a resumed run decides exactly as
/// an uninterrupted one. A callback without state needs only <see cref="ITrainingCallback"/>.
/// </summary>
public interface ICheckpointedCallback : ITrainingCallback
{
    /// <summary>The name the state is stored under; unique among one run's callbacks.</summary>
    string StateKey { get; }

    /// <summary>The callback's state as JSON (numbers, strings, lists; no tensors).</summary>
    JsonObject SaveState();

    /// <summary>Puts back a state saved by <see cref="SaveState"/> after <paramref name="epochsDone"/> epochs. Called after
    /// <see cref="ITrainingCallback.OnTrainBegin"/>. The state comes from a file: check every value.</summary>
    /// <exception cref="System.IO.InvalidDataException">The state is malformed or out of range (say which value).</exception>
    void RestoreState(JsonObject state, int epochsDone);
}

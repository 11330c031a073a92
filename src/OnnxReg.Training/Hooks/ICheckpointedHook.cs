using static TorchSharp.torch;

namespace OnnxReg.Training.Hooks;

/// <summary>A step hook whose state is tensors (e.g. an average of the weights), written into every checkpoint under
/// its <see cref="IStepHook.Key"/> and put back on resume, so a resumed run ends as an uninterrupted one.</summary>
public interface ICheckpointedHook : IStepHook
{
    /// <summary>The state to write, by name (read only; the hook keeps ownership).</summary>
    IReadOnlyDictionary<string, Tensor> SaveTensors();

    /// <summary>Puts back a state written by <see cref="SaveTensors"/> (copied; the caller keeps ownership). It comes
    /// from a file: check names, shapes and dtypes.</summary>
    /// <exception cref="InvalidDataException">The state does not fit this hook.</exception>
    void RestoreTensors(IReadOnlyDictionary<string, Tensor> state);
}

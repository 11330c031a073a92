using static TorchSharp.torch;

namespace OnnxReg.Training;

/// <summary>Copies of a module's parameters and buffers (its state dict), for early stopping's best weights and the trainer's roll-back point.</summary>
internal static class ModuleState
{
    /// <summary>Detached copies of every parameter and buffer (BatchNorm running statistics too); the caller owns them.</summary>
    public static Dictionary<string, Tensor> Copy(nn.Module model)
    {
        using var noGrad = no_grad();
        return model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope());
    }

    /// <summary>Writes saved values back into the module's own tensors, in place.</summary>
    public static void CopyInto(nn.Module model, IReadOnlyDictionary<string, Tensor> saved)
    {
        using var noGrad = no_grad();
        foreach (var (name, tensor) in model.state_dict())
            tensor.copy_(saved[name]);
    }

    /// <summary>
    /// True if <paramref name="saved"/> holds exactly the module's parameter and buffer names, each with the module's
    /// shape. Otherwise <paramref name="firstDifference"/> names the first that is missing or shaped differently
    /// (null when only <paramref name="saved"/> has extra entries).
    /// </summary>
    public static bool Fits(nn.Module model, IReadOnlyDictionary<string, Tensor> saved, out string? firstDifference)
    {
        var state = model.state_dict();
        firstDifference = state.FirstOrDefault(p => !saved.TryGetValue(p.Key, out var tensor) || !tensor.shape.SequenceEqual(p.Value.shape)).Key;
        return firstDifference is null && saved.Count == state.Count;
    }

    public static void Dispose(Dictionary<string, Tensor>? tensors)
    {
        foreach (var tensor in tensors?.Values ?? Enumerable.Empty<Tensor>()) tensor.Dispose();
    }
}

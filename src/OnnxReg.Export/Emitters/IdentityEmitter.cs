using static TorchSharp.torch;

namespace OnnxReg.Export.Emitters;

/// <summary>
/// Modules that are the identity at inference: Dropout, Dropout2d, AlphaDropout and Identity. They emit no
/// node at all (as PyTorch's exporter does in eval mode), so the graph has nothing to eliminate and no
/// training-mode switch to get wrong.
/// </summary>
public sealed class IdentityEmitter(Type moduleType) : IModuleEmitter
{
    /// <inheritdoc />
    public Type ModuleType { get; } = moduleType;

    /// <inheritdoc />
    public string Emit(EmitContext context, nn.Module module, string input) => input;
}

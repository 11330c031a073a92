using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Export.Emitters;

/// <summary>ReLU → <c>Relu</c>.</summary>
public sealed class ReluEmitter : IModuleEmitter
{
    /// <inheritdoc />
    public Type ModuleType => typeof(ReLU);

    /// <inheritdoc />
    public string Emit(EmitContext context, nn.Module module, string input) =>
        context.Builder.AddNode("Relu", context.Path, [input]);
}

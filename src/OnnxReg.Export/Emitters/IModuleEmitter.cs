using static TorchSharp.torch;

namespace OnnxReg.Export.Emitters;

/// <summary>Turns one TorchSharp module type into ONNX nodes (usually one or two <c>AddNode</c> calls).</summary>
public interface IModuleEmitter
{
    /// <summary>The module type this emitter handles (matched exactly, not by base type).</summary>
    Type ModuleType { get; }

    /// <summary>
    /// Adds the nodes that compute <paramref name="module"/> in evaluation mode on the value <paramref name="input"/>
    /// and returns the name of the value holding the result (the input itself for an identity).
    /// </summary>
    string Emit(EmitContext context, nn.Module module, string input);
}

using OnnxReg.Modules;

using static TorchSharp.torch;

namespace OnnxReg.Export.Emitters;

/// <summary>ResidualBlock → its body and shortcut (identity when absent) on the same input, then <c>Add</c>.</summary>
public sealed class ResidualBlockEmitter : IModuleEmitter
{
    /// <inheritdoc />
    public Type ModuleType => typeof(ResidualBlock);

    /// <inheritdoc />
    public string Emit(EmitContext context, nn.Module module, string input)
    {
        var block = (ResidualBlock)module;
        var body = context.EmitChild(block.Body, "body", input);
        var shortcut = block.Shortcut is { } projection ? context.EmitChild(projection, "shortcut", input) : input;
        return context.Builder.AddNode("Add", context.Path + ".add", [body, shortcut]);
    }
}

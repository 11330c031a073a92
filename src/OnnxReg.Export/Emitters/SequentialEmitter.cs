using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Export.Emitters;

/// <summary>
/// Sequential → its children in order, named by their paths. With <see cref="ExportOptions.FoldBatchNorm"/>, a
/// Conv2d or Linear directly followed by a BatchNorm becomes one Conv or Gemm with the normalization folded into
/// its weights, and the BatchNorm emits nothing.
/// </summary>
public sealed class SequentialEmitter : IModuleEmitter
{
    /// <inheritdoc />
    public Type ModuleType => typeof(Sequential);

    /// <inheritdoc />
    public string Emit(EmitContext context, nn.Module module, string input)
    {
        var children = ((Sequential)module).named_children().ToList();
        for (int i = 0; i < children.Count; i++)
        {
            var (name, child) = children[i];
            if (context.Options.FoldBatchNorm && i + 1 < children.Count && BatchNormFolding.CanFold(child, children[i + 1].module))
            {
                using var folded = BatchNormFolding.Fold(child, (BatchNorm)children[i + 1].module);
                input = context.EmitChild(folded, name, input);
                i++; // the BatchNorm is now part of the folded layer
                continue;
            }
            input = context.EmitChild(child, name, input);
        }
        return input;
    }
}

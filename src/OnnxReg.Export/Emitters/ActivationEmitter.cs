using OnnxReg.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Export.Emitters;

/// <summary>
/// Elementwise activations and softmaxes: ReLU → Relu, LeakyReLU → LeakyRelu(alpha), Tanh, Sigmoid,
/// SiLU → x·Sigmoid(x), GELU → 0.5·x·(1 + erf(x/√2)) (or its tanh approximation) built from opset-13 ops
/// (ONNX's own Gelu op needs opset 20), Softmax / LogSoftmax → the same op on the same axis.
/// </summary>
public sealed class ActivationEmitter(Type moduleType) : IModuleEmitter
{
    /// <summary>The module types this emitter handles.</summary>
    public static IReadOnlyList<Type> SupportedTypes { get; } =
        [typeof(ReLU), typeof(LeakyReLU), typeof(Tanh), typeof(Sigmoid), typeof(SiLU), typeof(GELU), typeof(Softmax), typeof(LogSoftmax)];

    /// <inheritdoc />
    public Type ModuleType { get; } = moduleType;

    /// <inheritdoc />
    public string Emit(EmitContext context, nn.Module module, string input)
    {
        var b = context.Builder;
        var path = context.Path;
        switch (module)
        {
            case ReLU: return b.AddNode("Relu", path, [input]);
            case LeakyReLU leaky: return b.AddNode("LeakyRelu", path, [input], OnnxAttribute.Float("alpha", (float)leaky.negative_slope));
            case Tanh: return b.AddNode("Tanh", path, [input]);
            case Sigmoid: return b.AddNode("Sigmoid", path, [input]);
            case SiLU: return b.AddNode("Mul", path, [input, b.AddNode("Sigmoid", path + ".sigmoid", [input])]);
            case GELU { approximate: GELU.Approximate.tanh }:
            {
                // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
                var cube = b.AddNode("Mul", path + ".cube", [b.AddNode("Mul", path + ".square", [input, input]), input]);
                var inner = b.AddNode("Add", path + ".inner", [input, b.AddNode("Mul", path + ".cubic", [cube, context.Scalar("coefficient", 0.044715f)])]);
                var tanh = b.AddNode("Tanh", path + ".tanh", [b.AddNode("Mul", path + ".scale", [inner, context.Scalar("sqrt_2_over_pi", (float)Math.Sqrt(2 / Math.PI))])]);
                return HalfXTimesOnePlus(context, input, tanh);
            }
            case GELU:
            {
                var erf = b.AddNode("Erf", path + ".erf", [b.AddNode("Div", path + ".div", [input, context.Scalar("sqrt_2", (float)Math.Sqrt(2))])]);
                return HalfXTimesOnePlus(context, input, erf);
            }
            case Softmax softmax: return b.AddNode("Softmax", path, [input], OnnxAttribute.Int("axis", Axis(softmax.dim, context)));
            case LogSoftmax logSoftmax: return b.AddNode("LogSoftmax", path, [input], OnnxAttribute.Int("axis", Axis(logSoftmax.dim, context)));
            default: throw new ArgumentException($"{module.GetType().Name} is not an activation this emitter knows.", nameof(module));
        }
    }

    private static string HalfXTimesOnePlus(EmitContext context, string x, string value)
    {
        var b = context.Builder;
        var onePlus = b.AddNode("Add", context.Path + ".one_plus", [value, context.Scalar("one", 1f)]);
        return b.AddNode("Mul", context.Path, [b.AddNode("Mul", context.Path + ".x_half", [x, context.Scalar("half", 0.5f)]), onePlus]);
    }

    private static long Axis(long dim, EmitContext context)
    {
        long axis = dim < 0 ? dim + context.InputShape.Length : dim;
        if (axis == 0)
            throw new ExportNotSupportedException($"{context.Path}: a softmax over dimension 0 mixes the batch; only dimensions ≥ 1 can be exported.");
        return axis;
    }
}

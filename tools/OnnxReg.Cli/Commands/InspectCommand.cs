using System.CommandLine;
using System.Globalization;
using OnnxReg.Data;
using OnnxReg.Onnx;
using OnnxReg.Onnx.Proto;
using Spectre.Console;

namespace OnnxReg.Cli.Commands;

/// <summary><c>onnxreg inspect</c>: what an ONNX file declares and holds — inputs, outputs, ops, parameters, weight sparsity, metadata.</summary>
internal static class InspectCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Argument<string>("model") { Description = "The .onnx file" };
        var command = new Command("inspect", "Print an ONNX model's inputs, outputs, ops, parameter count, weight sparsity and metadata") { model };
        command.SetAction(parse => Run(console, parse.GetValue(model)!));
        return command;
    }

    private static int Run(CliConsole console, string path)
    {
        OnnxReg.Data.OnnxFile.CheckLimits(path); // metadata size checked before the protobuf parser copies it
        var proto = OnnxModelSerializer.Read(path);
        var summary = OnnxModelSummary.Of(proto);
        var opsets = string.Join(", ", proto.OpsetImport.Select(o => $"{(o.Domain.Length == 0 ? "ai.onnx" : o.Domain)} {o.Version}"));
        console.Line($"model: {path} ({new FileInfo(path).Length / 1024.0:0.0} KiB)");
        console.Line($"producer: {Or(proto.ProducerName, "unknown")} {proto.ProducerVersion}; IR version {proto.IrVersion}; opset {opsets}");
        foreach (var input in proto.Graph.Input.Where(i => proto.Graph.Initializer.All(t => t.Name != i.Name)))
            console.Line($"input: {input.Name} {Describe(input)}");
        foreach (var output in proto.Graph.Output)
            console.Line($"output: {output.Name} {Describe(output)}");
        console.Line($"nodes: {proto.Graph.Node.Count}; ops: {string.Join(", ", summary.OperatorCounts.Select(o => $"{o.OpType} x{o.Count}"))}");
        console.Line(string.Create(CultureInfo.InvariantCulture,
            $"parameters: {summary.ParameterCount:N0}; of the {summary.WeightCount:N0} weights (matrices and filters) exactly zero: {summary.ExactlyZeroFraction:P2} ({summary.ExactlyZero:N0}), |w| < {summary.Threshold:0e+0}: {summary.BelowThresholdFraction:P2} ({summary.BelowThreshold:N0}); weight L2 norm {summary.WeightNorm:0.###}"));
        // One "key: value" line per entry, never wrapped by us: a JSON value split mid-token by a table cell could not be
        // copied back out, and a terminal wraps long lines by itself.
        if (proto.MetadataProps.Count > 0)
            console.Line("metadata:");
        foreach (var entry in proto.MetadataProps)
            console.Line($"  {PrintableText.Escape(entry.Key, 200)}: {PrintableText.Escape(entry.Value, 2000)}");
        return CliApp.Success;
    }

    private static string Describe(ValueInfoProto value)
    {
        if (value.Type?.TensorType is not { } tensor) return "(not a tensor)";
        var dims = tensor.Shape?.Dim.Select(d => d.HasDimValue ? d.DimValue.ToString(CultureInfo.InvariantCulture) : d.HasDimParam ? d.DimParam : "?") ?? [];
        return $"[{string.Join(", ", dims)}] {(TensorProto.Types.DataType)tensor.ElemType}";
    }

    private static string Or(string value, string fallback) => string.IsNullOrEmpty(value) ? fallback : value;
}

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
        var format = OutputFormats.Option(csv: false);
        var command = new Command("inspect", "Print an ONNX model's inputs, outputs, ops, parameter count, weight sparsity and metadata") { model, format };
        command.SetAction(parse => Run(console, parse.GetValue(model)!, parse.GetValue(format) == "json"));
        return command;
    }

    // What --format json prints: the same facts as the table, names as the file holds them (JSON escapes them).
    private sealed record Tensor(string Name, string[] Shape, string Type);
    private sealed record Inspection(string Model, long FileBytes, string Producer, string ProducerVersion, long IrVersion,
        IReadOnlyDictionary<string, long> Opsets, IReadOnlyList<Tensor> Inputs, IReadOnlyList<Tensor> Outputs, int Nodes,
        IReadOnlyDictionary<string, int> Ops, long Parameters, long Weights, long ExactlyZeroWeights, long WeightsBelowThreshold,
        double Threshold, double WeightNorm, IReadOnlyDictionary<string, string> Metadata);

    private static int Run(CliConsole console, string path, bool json)
    {
        OnnxReg.Data.OnnxFile.CheckLimits(path); // metadata size checked before the protobuf parser copies it
        var proto = OnnxModelSerializer.Read(path);
        var summary = OnnxModelSummary.Of(proto);
        var inputs = proto.Graph.Input.Where(i => proto.Graph.Initializer.All(t => t.Name != i.Name)).ToList();
        if (json)
        {
            var record = new Inspection(path, new FileInfo(path).Length, proto.ProducerName, proto.ProducerVersion, proto.IrVersion,
                proto.OpsetImport.GroupBy(o => o.Domain.Length == 0 ? "ai.onnx" : o.Domain).ToDictionary(g => g.Key, g => g.Last().Version),
                inputs.Select(AsTensor).ToList(), proto.Graph.Output.Select(AsTensor).ToList(), proto.Graph.Node.Count,
                summary.OperatorCounts.GroupBy(o => o.OpType).ToDictionary(g => g.Key, g => g.Sum(o => o.Count)),
                summary.ParameterCount, summary.WeightCount, summary.ExactlyZero, summary.BelowThreshold, summary.Threshold, summary.WeightNorm,
                proto.MetadataProps.GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Last().Value));
            console.Output.Write(System.Text.Json.JsonSerializer.Serialize(record, OutputFormats.Json) + "\n");
            return CliApp.Success;
        }
        // Every name below comes from the file: escaped, so it cannot colour the terminal or fake a line.
        static string E(string text, int length = 200) => PrintableText.Escape(text, length);
        var opsets = string.Join(", ", proto.OpsetImport.Select(o => $"{E(o.Domain.Length == 0 ? "ai.onnx" : o.Domain)} {o.Version}"));
        console.Line($"model: {E(path)} ({new FileInfo(path).Length / 1024.0:0.0} KiB)");
        console.Line($"producer: {E(Or(proto.ProducerName, "unknown"))} {E(proto.ProducerVersion)}; IR version {proto.IrVersion}; opset {opsets}");
        foreach (var input in inputs)
            console.Line($"input: {E(input.Name)} {E(Describe(input))}");
        foreach (var output in proto.Graph.Output)
            console.Line($"output: {E(output.Name)} {E(Describe(output))}");
        console.Line($"nodes: {proto.Graph.Node.Count}; ops: {string.Join(", ", summary.OperatorCounts.Select(o => $"{E(o.OpType, 40)} x{o.Count}"))}");
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

    private static string Describe(ValueInfoProto value) =>
        AsTensor(value) is var t && t.Type == "(not a tensor)" ? t.Type : $"[{string.Join(", ", t.Shape)}] {t.Type}";

    private static Tensor AsTensor(ValueInfoProto value)
    {
        if (value.Type?.TensorType is not { } tensor) return new Tensor(value.Name, [], "(not a tensor)");
        var dims = tensor.Shape?.Dim.Select(d => d.HasDimValue ? d.DimValue.ToString(CultureInfo.InvariantCulture) : d.HasDimParam ? d.DimParam : "?").ToArray() ?? [];
        return new Tensor(value.Name, dims, ((TensorProto.Types.DataType)tensor.ElemType).ToString());
    }

    private static string Or(string value, string fallback) => string.IsNullOrEmpty(value) ? fallback : value;
}

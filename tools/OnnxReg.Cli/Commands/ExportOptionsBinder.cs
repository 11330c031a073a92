using System.CommandLine;
using OnnxReg.Export;

namespace OnnxReg.Cli.Commands;

/// <summary>The export options shared by <c>train</c> and <c>export</c>, and their validation.</summary>
internal sealed class ExportOptionsBinder
{
    private readonly Option<int> _opset = new("--opset") { Description = "ONNX opset (ai.onnx) to write, 13 to 21", DefaultValueFactory = _ => new ExportOptions().Opset };
    private readonly Option<int> _fixedBatch = new("--fixed-batch") { Description = "Export with this fixed batch size instead of a dynamic one (0: dynamic)", DefaultValueFactory = _ => 0 };
    private readonly Option<bool> _softmaxOutput = new("--softmax-output") { Description = "Export probabilities (a final Softmax) instead of logits [default: off]" };
    private readonly Option<bool> _foldBatchNorm = new("--fold-batch-norm") { Description = "Fold each BatchNorm into the Conv/Linear before it [default: off]" };
    private readonly Option<bool> _normalizeInGraph = new("--normalize-in-graph") { Description = "The exported graph takes raw 0-255 pixels and normalizes them itself [default: off]" };

    public IEnumerable<Option> All => [_opset, _fixedBatch, _softmaxOutput, _foldBatchNorm, _normalizeInGraph];

    /// <exception cref="CliException">An option is out of range.</exception>
    public ExportOptions Bind(ParseResult parse)
    {
        int fixedBatch = parse.GetValue(_fixedBatch), opset = parse.GetValue(_opset);
        if (fixedBatch < 0)
            throw new CliException($"--fixed-batch must be 0 (dynamic) or a positive batch size; received {fixedBatch}");
        if (opset is < 13 or > 21)
            throw new CliException($"--opset must be between 13 and 21; received {opset}");
        return new ExportOptions
        {
            Opset = opset,
            DynamicBatch = fixedBatch == 0,
            FixedBatchSize = Math.Max(1, fixedBatch),
            SoftmaxOutput = parse.GetValue(_softmaxOutput),
            FoldBatchNorm = parse.GetValue(_foldBatchNorm),
            NormalizeInGraph = parse.GetValue(_normalizeInGraph),
        };
    }
}

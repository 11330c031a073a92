using System.CommandLine;
using System.Globalization;
using OnnxReg.Data;
using OnnxReg.Runtime;
using OnnxReg.Runtime.Regression;
using Spectre.Console;

namespace OnnxReg.Cli.Commands;

/// <summary>
/// <c>onnxreg regress FOLDER</c>: checks every <c>.onnx</c> in a folder against its <c>.baseline.json</c> with ONNX
/// Runtime, prints baseline vs now, and exits non-zero on any regression; <c>--write-baselines</c> records them anew.
/// </summary>
internal static class RegressCommand
{
    public static Command Create(CliConsole console)
    {
        var folder = new Argument<string>("folder") { Description = "Folder of .onnx models, each with a NAME.baseline.json beside it" };
        var data = CommonOptions.Data();
        var write = new Option<bool>("--write-baselines") { Description = "Measure every model now and write its baseline file instead of checking [default: off]" };
        var tolerance = new Option<double>("--tolerance") { Description = "Accuracy tolerance recorded in written baselines", DefaultValueFactory = _ => AccuracyRegression.DefaultTolerance };
        var command = new Command("regress", "Check exported models against their accuracy baselines with ONNX Runtime; exits non-zero on a regression") { folder, data, write, tolerance };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(folder)!;
            if (!Directory.Exists(path)) throw new CliException($"model folder '{path}' does not exist");
            var models = Directory.GetFiles(path, "*.onnx").Order(StringComparer.Ordinal).ToList();
            if (models.Count == 0) throw new CliException($"model folder '{path}' holds no .onnx files");
            // An image folder is decoded as each model's training images were (colour, size, resize policy).
            var modelData = new ModelData(parse.GetValue(data)!);
            ImageDataset TestFor(string model)
            {
                using var classifier = OnnxClassifier.Load(model);
                return modelData.For(classifier);
            }
            var description = DatasetSource.Describe(parse.GetValue(data)!);
            string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
            if (parse.GetValue(write))
            {
                double t = parse.GetValue(tolerance);
                if (t is not (>= 0 and < 1)) throw new CliException($"--tolerance must be in [0, 1); received {t}");
                foreach (var model in models)
                {
                    var (baseline, written) = AccuracyRegression.WriteBaseline(model, TestFor(model), $"{description}, test split", t);
                    console.Line($"{(written ? "wrote" : "unchanged")} {AccuracyBaseline.PathFor(model)}: accuracy {F(baseline.Accuracy)}, loss {F(baseline.Loss)} on {baseline.Images:N0} images");
                }
                return CliApp.Success;
            }
            var table = new Table().AddColumns("model", "baseline acc", "now acc", "Δ", "tolerance", "weights", "result");
            var results = models.Select(m => AccuracyRegression.Check(m, TestFor(m))).ToList();
            foreach (var r in results)
                table.AddRow(CliConsole.Cell(Path.GetFileName(r.ModelPath)), F(r.Baseline.Accuracy), F(r.Now.Accuracy),
                    (r.Now.Accuracy - r.Baseline.Accuracy).ToString("+0.0000;-0.0000;0.0000", CultureInfo.InvariantCulture),
                    F(r.Baseline.Tolerance), r.WeightsChanged ? "changed" : "same", r.Passed ? "pass" : "REGRESSED");
            console.Line($"data: {description}, test split");
            console.Write(table);
            var failed = results.Where(r => !r.Passed).ToList();
            if (failed.Count > 0)
                throw new CliException($"{failed.Count} of {results.Count} models regressed: {string.Join(" ", failed.Select(f => f.Message))}");
            console.Line($"all {results.Count} models are within tolerance of their baselines");
            return CliApp.Success;
        });
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using OnnxReg.Data;
using OnnxReg.Onnx;
using OnnxReg.Runtime;
using OnnxReg.Study;
using Spectre.Console;

namespace OnnxReg.Cli.Commands;

/// <summary><c>onnxreg compare</c>: evaluates existing exported models side by side — accuracy, loss, calibration, robustness, size, sparsity.</summary>
internal static class CompareCommand
{
    public static Command Create(CliConsole console)
    {
        var models = new Argument<string[]>("models") { Description = "Two or more exported .onnx files", Arity = ArgumentArity.OneOrMore };
        var data = CommonOptions.Data();
        var format = OutputFormats.Option();
        var otherClassNames = CommonOptions.AllowOtherClassNames();
        var command = new Command("compare", "Evaluate exported models side by side on the test set with ONNX Runtime: accuracy, loss, calibration, robustness, size, sparsity") { models, data, format, otherClassNames };
        command.SetAction((parse, cancellation) => Task.FromResult(Compare(parse, cancellation)));
        int Compare(ParseResult parse, CancellationToken cancellation)
        {
            var paths = parse.GetValue(models)!;
            CommonOptions.RequireModelFiles(paths);
            var source = new ModelData(parse.GetValue(data)!);
            var perturbations = new Dictionary<ImageDataset, List<(string Name, ImageDataset Data)>>(ReferenceEqualityComparer.Instance);
            List<(string Name, ImageDataset Data)> Perturbed(ImageDataset test) =>
                perturbations.TryGetValue(test, out var known) ? known : perturbations[test] = StudyRunner.Perturbations.Select(p => (p.Name, Data: p.Apply(test))).ToList();
            // One column per model, one row per figure: reads well for any number of figures.
            var table = new Table().AddColumn("figure");
            var rows = new List<List<string>>();
            var records = new List<Dictionary<string, object>>();
            string[] figures = ["parameters", "file size", "test accuracy", "test loss", "calibration error (ECE)", .. StudyRunner.Perturbations.Select(p => $"accuracy, {p.Name}"), "weights |w| < 1e-6"];
            foreach (var figure in figures) rows.Add([figure]);
            for (int m = 0; m < paths.Length; m++)
            {
                var path = paths[m];
                table.AddColumn($"#{m + 1}");
                using var classifier = OnnxClassifier.Load(path);
                var test = source.For(classifier);
                var perturbed = Perturbed(test);
                var result = Evaluator.Evaluate(classifier, test, allowOtherClassNames: parse.GetValue(otherClassNames), cancellation: cancellation);
                var summary = OnnxModelSummary.Of(OnnxModelSerializer.Read(path));
                bool allowOther = parse.GetValue(otherClassNames);
                var perturbedAccuracy = perturbed.Select(p => (p.Name, Evaluator.Evaluate(classifier, p.Data, allowOtherClassNames: allowOther, cancellation: cancellation).Accuracy)).ToList();
                string[] values = [summary.ParameterCount.ToString("N0", CultureInfo.InvariantCulture), $"{new FileInfo(path).Length / 1024.0:0} KiB",
                    Percent(result.Accuracy), CommonOptions.Format(result.MeanLoss), CommonOptions.Format(result.ExpectedCalibrationError),
                    .. perturbedAccuracy.Select(p => Percent(p.Accuracy)), Percent(summary.BelowThresholdFraction)];
                for (int r = 0; r < rows.Count; r++) rows[r].Add(values[r]);
                // The record names its split once and its figures in the one metric vocabulary (MetricNames).
                var record = new Dictionary<string, object>
                {
                    ["model"] = path, ["split"] = "test", ["parameters"] = summary.ParameterCount, ["fileBytes"] = new FileInfo(path).Length,
                    [MetricNames.Accuracy] = result.Accuracy, [MetricNames.Loss] = result.MeanLoss, [MetricNames.Ece] = result.ExpectedCalibrationError,
                };
                foreach (var (name, accuracy) in perturbedAccuracy) record[$"{MetricNames.Accuracy}:{name}"] = accuracy;
                record["nearZeroWeights"] = summary.BelowThresholdFraction;
                records.Add(record);
            }
            var output = OutputFormats.Parse(parse.GetValue(format)!);
            if (output == OutputFormat.Json)
            {
                console.Output.Write(System.Text.Json.JsonSerializer.Serialize(records, OutputFormats.Json) + "\n");
                return CliApp.Success;
            }
            if (output == OutputFormat.Csv)
            {
                console.Output.Write(OutputFormats.Csv(records[0].Keys, records.Select(r => r.Values.Cast<object?>())));
                return CliApp.Success;
            }
            foreach (var row in rows) table.AddRow(row.ToArray());
            for (int m = 0; m < paths.Length; m++) console.Line($"#{m + 1}: {paths[m]}");
            console.Line($"data: {DatasetSource.Describe(parse.GetValue(data)!)}, test split; perturbations: rotation 15°, scaling 0.8, Gaussian noise σ 0.2, 10×10 occlusion");
            console.Write(table);
            return CliApp.Success;
        }
        return command;
    }

    private static string Percent(double value) => value.ToString("0.00 %", CultureInfo.InvariantCulture);
}

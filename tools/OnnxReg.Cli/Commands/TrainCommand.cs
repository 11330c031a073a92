using System.CommandLine;
using System.Text.Json;
using OnnxReg.Data;
using OnnxReg.Export;
using OnnxReg.Runtime;
using OnnxReg.Training;
using OnnxReg.Training.Models;
using Spectre.Console;

namespace OnnxReg.Cli.Commands;

/// <summary>
/// <c>onnxreg train</c>: trains a preset model, exports it to ONNX, checks the exported file against the trained
/// network on the test set, and prints test accuracy and loss measured by ONNX Runtime on that file.
/// </summary>
internal static class TrainCommand
{
    // The largest logit difference accepted between TorchSharp eval mode and ONNX Runtime on the exported file.
    private const double ParityTolerance = 1e-4;

    public static Command Create(CliConsole console)
    {
        var model = new Option<string>("--model") { Description = "Model preset: mlp or cnn", DefaultValueFactory = _ => "mlp" };
        model.AcceptOnlyFromAmong("mlp", "cnn");
        var data = CommonOptions.Data();
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training data", DefaultValueFactory = _ => 10 };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per mini-batch", DefaultValueFactory = _ => 128 };
        var learningRate = new Option<double>("--lr") { Description = "Learning rate", DefaultValueFactory = _ => 1e-3 };
        var optimizer = new Option<string>("--optimizer") { Description = "Optimizer: adam or sgd (with --momentum)", DefaultValueFactory = _ => "adam" };
        optimizer.AcceptOnlyFromAmong("adam", "sgd");
        var momentum = new Option<double>("--momentum") { Description = "SGD momentum, in [0, 1)", DefaultValueFactory = _ => 0.9 };
        var dropout = new Option<double>("--dropout") { Description = "Dropout rate before each hidden fully connected layer, in [0, 1); 0 disables dropout", DefaultValueFactory = _ => 0.0 };
        var trainSize = new Option<int>("--train-size") { Description = "Use only the first N training images (0: all)", DefaultValueFactory = _ => 0 };
        var validationFraction = new Option<double>("--validation-fraction") { Description = "Fraction of the training images held out for validation, in [0, 1)", DefaultValueFactory = _ => 0.1 };
        var seed = new Option<int>("--seed") { Description = "Seed for weight initialization, the validation split, shuffling and dropout", DefaultValueFactory = _ => 42 };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the exported model", DefaultValueFactory = _ => "runs/model.onnx" };

        var command = new Command("train", "Train a preset model, export it to ONNX, and evaluate the exported file with ONNX Runtime")
        {
            model, data, epochs, batchSize, learningRate, optimizer, momentum, dropout, trainSize, validationFraction, seed, output,
        };
        command.SetAction(parse => Run(console, new TrainRequest(
            parse.GetValue(model)!, parse.GetValue(data)!, parse.GetValue(trainSize), parse.GetValue(validationFraction),
            parse.GetValue(dropout), parse.GetValue(output)!,
            new TrainingOptions(parse.GetValue(epochs), parse.GetValue(batchSize), parse.GetValue(learningRate),
                parse.GetValue(optimizer) == "sgd" ? OptimizerKind.Sgd : OptimizerKind.Adam, parse.GetValue(momentum), parse.GetValue(seed)))));
        return command;
    }

    private sealed record TrainRequest(string Model, string Data, int TrainSize, double ValidationFraction, double Dropout, string Output, TrainingOptions Options);

    private static int Run(CliConsole console, TrainRequest request)
    {
        Validate(request);
        var preset = request.Model == "cnn" ? ModelPreset.Cnn : ModelPreset.Mlp;
        var pair = DatasetSource.Load(request.Data);
        var available = request.TrainSize > 0 ? pair.Train.Take(request.TrainSize) : pair.Train;
        var (trainImages, validationImages) = DatasetSplit.TrainValidation(available, request.ValidationFraction, request.Options.Seed);
        var normalization = Normalization.Estimate(trainImages.Pixels);
        console.Line($"data: {pair.Description}; training on {trainImages.Count:N0}, validating on {validationImages.Count:N0}, testing on {pair.Test.Count:N0}");
        console.Line($"model: {request.Model}, dropout {request.Dropout}; {request.Options.Optimizer} lr {request.Options.LearningRate}, batch {request.Options.BatchSize}, {request.Options.Epochs} epochs, seed {request.Options.Seed}");

        using var network = ModelPresets.Create(preset, trainImages.Channels, trainImages.Height, trainImages.Width, trainImages.ClassNames.Count, request.Dropout, request.Options.Seed);
        using var train = TensorDataset.From(trainImages, normalization);
        using var validation = TensorDataset.From(validationImages, normalization);
        using var test = TensorDataset.From(pair.Test, normalization);

        var history = new Trainer(request.Options).Fit(network, train, validation, epoch => console.Line(
            $"epoch {epoch.Epoch,3}/{request.Options.Epochs}  loss {CommonOptions.Format(epoch.TrainLoss)}  acc {CommonOptions.Format(epoch.TrainAccuracy)}" +
            (epoch.ValidationLoss is double vl ? $"  val_loss {CommonOptions.Format(vl)}  val_acc {CommonOptions.Format(epoch.ValidationAccuracy!.Value)}" : "") +
            $"  ({epoch.Seconds:0.0} s)"));

        var torchTest = Trainer.Evaluate(network, test);
        var options = new ExportOptions
        {
            ClassNames = trainImages.ClassNames,
            Normalization = normalization,
            Metadata = new Dictionary<string, string>
            {
                [ModelMetadataKeys.TrainingConfiguration] = JsonSerializer.Serialize(new
                {
                    model = request.Model, data = request.Data, trainSize = trainImages.Count, validationSize = validationImages.Count,
                    dropout = request.Dropout, request.Options.Epochs, request.Options.BatchSize, request.Options.LearningRate,
                    optimizer = request.Options.Optimizer.ToString(), request.Options.Momentum, request.Options.Seed,
                }),
                [ModelMetadataKeys.Metrics] = JsonSerializer.Serialize(new
                {
                    trainLoss = history.Final.TrainLoss, trainAccuracy = history.Final.TrainAccuracy,
                    validationLoss = history.Final.ValidationLoss, validationAccuracy = history.Final.ValidationAccuracy,
                }),
            },
        };
        long[] sampleShape = [trainImages.Channels, trainImages.Height, trainImages.Width];
        EvaluationResult onnxTest = null!;
        double maxDifference = 0;
        new OnnxExporter().Export(network, sampleShape, request.Output, options, verify: temporaryPath =>
        {
            using var classifier = OnnxClassifier.Load(temporaryPath);
            maxDifference = ExportParity.MaxLogitDifference(network, classifier, test);
            if (maxDifference > ParityTolerance)
                throw new CliException($"the exported model disagrees with the trained network: max |logit difference| {maxDifference:0.00e+00} > {ParityTolerance:0e+00} on the test set; nothing was written to '{request.Output}'");
            onnxTest = Evaluator.Evaluate(classifier, pair.Test);
        });

        var table = new Table().AddColumns("test set", "images", "accuracy", "mean loss");
        table.AddRow("TorchSharp, eval mode", test.Count.ToString("N0"), CommonOptions.Format(torchTest.Accuracy), CommonOptions.Format(torchTest.Loss));
        table.AddRow($"ONNX Runtime, {Markup.Escape(request.Output)}", onnxTest.Count.ToString("N0"), CommonOptions.Format(onnxTest.Accuracy), CommonOptions.Format(onnxTest.MeanLoss));
        console.Write(table);
        console.Line($"exported {request.Output}; max |logit difference| vs TorchSharp on the test set: {maxDifference:0.00e+00}");
        console.Line($"test accuracy (ONNX Runtime): {CommonOptions.Format(onnxTest.Accuracy)}");
        return CliApp.Success;
    }

    // Checked before loading data, so a bad value fails in milliseconds with the option's name.
    private static void Validate(TrainRequest request)
    {
        void Check(bool ok, string option, object value, string allowed)
        {
            if (!ok) throw new CliException($"{option} must be {allowed}; received {value}");
        }
        Check(request.Options.Epochs >= 1, "--epochs", request.Options.Epochs, "at least 1");
        Check(request.Options.BatchSize >= 1, "--batch-size", request.Options.BatchSize, "at least 1");
        Check(request.Options.LearningRate > 0 && double.IsFinite(request.Options.LearningRate), "--lr", request.Options.LearningRate, "a positive number");
        Check(request.Options.Momentum is >= 0 and < 1, "--momentum", request.Options.Momentum, "in [0, 1)");
        Check(request.Dropout is >= 0 and < 1, "--dropout", request.Dropout, "in [0, 1) (0 disables dropout)");
        Check(request.TrainSize >= 0, "--train-size", request.TrainSize, "0 (all) or a positive count");
        Check(request.ValidationFraction is >= 0 and < 1, "--validation-fraction", request.ValidationFraction, "in [0, 1)");
        Check(!Directory.Exists(request.Output), "--output", request.Output, "a file path, not an existing folder");
    }
}

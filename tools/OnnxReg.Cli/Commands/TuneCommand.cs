using System.CommandLine;
using System.Globalization;
using OnnxReg.Data;
using OnnxReg.Study;
using OnnxReg.Training;
using OnnxReg.Training.Checkpoints;
using OnnxReg.Training.Models;
using OnnxReg.Training.Models.Layers;
using OnnxReg.Tuning;
using OnnxReg.Experiments;

namespace OnnxReg.Cli.Commands;

/// <summary>
/// <c>onnxreg tune</c>: how strong should each regularizer be? Searches a space of training options (grid, random or
/// successive halving), selects on the validation split of the exported files, reruns the finalists with several
/// seeds, and measures the chosen configuration once on the test split against the untuned baseline.
/// </summary>
internal static class TuneCommand
{
    public static Command Create(CliConsole console)
    {
        var defaults = new TuningDefinition();
        var data = CommonOptions.Data();
        var imageBinder = new ImageOptionsBinder();
        var config = new Option<string>("--config") { Description = "The training configuration every trial starts from (see train --write-config) [default: the mlp, 24 epochs, batch 64]" };
        var model = new Option<string>("--model") { Description = "The network the trials train: mlp, cnn, resnet or a model file FILE.json [default: the configuration's]" };
        var epochs = new Option<int?>("--epochs") { Description = "The full epoch budget (the last rung's, the finalists' and the baseline's) [default: the configuration's: 24]" };
        var space = new Option<string>("--space")
        {
            Description = "Dimensions, comma-separated NAME=log:MIN:MAX, NAME=MIN:MAX, NAME=int:MIN:MAX or NAME=A|B|C; NAME is one of " +
                          string.Join(", ", ConfigurationPaths.Aliases.Keys) + " or any configuration path (training.learningRate)",
            DefaultValueFactory = _ => string.Join(",", defaults.Space),
        };
        var strategy = new Option<string>("--strategy") { Description = "grid, random, or halving (successive halving: many trials for a few epochs, the best 1/eta continue)", DefaultValueFactory = _ => "halving" };
        var trials = new Option<int>("--trials") { Description = "Random and halving: configurations drawn", DefaultValueFactory = _ => defaults.Trials };
        var gridPoints = new Option<int>("--grid-points") { Description = "Grid: values per range", DefaultValueFactory = _ => defaults.GridPoints };
        var eta = new Option<int>("--eta") { Description = "Halving: keep the best 1/eta at each rung and give them eta times the epochs", DefaultValueFactory = _ => defaults.Eta };
        var rungs = new Option<int>("--rungs") { Description = "Halving: rungs (the last trains the full budget)", DefaultValueFactory = _ => defaults.Rungs };
        var finalists = new Option<int>("--finalists") { Description = "The best configurations rerun with every seed before one is chosen", DefaultValueFactory = _ => defaults.Finalists };
        var seeds = new Option<string>("--seeds") { Description = "Seeds of the finalists and the baseline (the search uses the first)", DefaultValueFactory = _ => string.Join(",", defaults.Seeds) };
        var objective = new Option<string>("--objective") { Description = "What trials are ranked by, on the validation split: val_accuracy or val_loss", DefaultValueFactory = _ => "val_accuracy" };
        var searchSeed = new Option<int>("--search-seed") { Description = "Seeds the random draws of the search", DefaultValueFactory = _ => defaults.SearchSeed };
        var trainSize = new Option<int>("--train-size") { Description = "Training images: the first N of the training set", DefaultValueFactory = _ => defaults.TrainSize };
        var validationSize = new Option<int>("--validation-size") { Description = "Validation images (the only ones selection sees): the next N", DefaultValueFactory = _ => defaults.ValidationSize };
        var testSize = new Option<int>("--test-size") { Description = "Test images for the one final measurement: the first N of the test set (0: all)", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--output", "-o") { Description = "Output folder: trials/, best.onnx, best.config.json, report.md/json and plots", DefaultValueFactory = _ => "runs/tune" };
        var writeConfig = new Option<string>("--write-config") { Description = "Also write the chosen configuration (as train --config reads it) to this file [default: only best.config.json in --output]" };
        var shard = new Option<string>("--shard") { Description = "Run as shard K of N processes sharing --output (K from 0; auto/N reads K from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID); each rung waits for its trials on every shard [default: unsharded]" };
        strategy.AcceptOnlyFromAmong("grid", "random", "halving");
        objective.AcceptOnlyFromAmong("val_accuracy", "val_loss");

        var command = new Command("tune", "Search how strong each regularizer should be (grid, random or successive halving), choose on validation, rerun the finalists with several seeds, and measure the choice once on the test split against the baseline")
        {
            data, imageBinder.Size, imageBinder.Color, imageBinder.Resize, config, model, epochs, space, strategy, trials, gridPoints, eta, rungs, finalists, seeds, objective, searchSeed, trainSize, validationSize, testSize, output, writeConfig, shard,
        };
        command.SetAction((parse, cancellation) =>
        {
            var definition = defaults;
            var baseConfiguration = parse.GetValue(config) is { } path ? TrainingConfiguration.Load(path) : defaults.Base;
            // A preset or a model file means what it means to train: the other model settings of the configuration are kept.
            if (parse.GetValue(model) is { } network) baseConfiguration = baseConfiguration with { Model = TrainingOptionsBinder.ModelFrom(network, baseConfiguration.Model) };
            if (parse.GetValue(epochs) is int n)
            {
                if (n < 1) throw new CliException($"--epochs must be at least 1; received {n}");
                baseConfiguration = baseConfiguration with { Training = baseConfiguration.Training with { Epochs = n } };
            }
            List<SearchDimension> dimensions;
            try { dimensions = parse.GetValue(space)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(SearchDimension.Parse).ToList(); }
            catch (FormatException e) { throw new CliException($"--space: {e.Message}"); }
            definition = definition with
            {
                Data = parse.GetValue(data)!,
                ImageSize = parse.GetValue(imageBinder.Size),
                Color = parse.GetValue(imageBinder.Color),
                Resize = parse.GetValue(imageBinder.Resize),
                Base = baseConfiguration,
                Space = dimensions,
                Strategy = parse.GetValue(strategy) switch { "grid" => SearchStrategy.Grid, "random" => SearchStrategy.Random, _ => SearchStrategy.Halving },
                Trials = parse.GetValue(trials),
                GridPoints = parse.GetValue(gridPoints),
                Eta = parse.GetValue(eta),
                Rungs = parse.GetValue(rungs),
                Finalists = parse.GetValue(finalists),
                Seeds = CommonOptions.Integers("--seeds", parse.GetValue(seeds)!),
                Objective = parse.GetValue(objective) == "val_loss" ? TuningObjective.ValLoss : TuningObjective.ValAccuracy,
                SearchSeed = parse.GetValue(searchSeed),
                TrainSize = parse.GetValue(trainSize),
                ValidationSize = parse.GetValue(validationSize),
                TestSize = parse.GetValue(testSize),
            };
            try { definition.Validate(); }
            catch (ArgumentException e) { throw new CliException(ErrorMessages.OneLine(e)); }
            StudyShard? shardOf = null;
            if (parse.GetValue(shard) is { } shardText)
            {
                try { shardOf = StudyShard.Parse(shardText); }
                catch (FormatException e) { throw new CliException($"--shard: {e.Message}"); }
            }
            var folder = parse.GetValue(output)!;
            CommonOptions.RequireWritable("--output", Path.Combine(folder, "report.md"), Path.Combine(folder, "best.onnx"));
            if (parse.GetValue(writeConfig) is { } target) CommonOptions.RequireWritable("--write-config", target);
            // Shards share the folder on purpose (each trial has its own claim); an unsharded run holds it alone, so a
            // second one on the same -o is refused instead of retraining the first one's trials and mixing reports.
            using var tuneLock = shardOf is null
                ? OnnxReg.Data.IO.OutputLock.Acquire(Path.Combine(folder, "report.md"), CommandLine.Format(parse.Tokens.Select(t => t.Value)))
                : null;
            TuningReport report;
            try
            {
                report = Tuner.Run(definition, folder, new PlainProgress(console), shardOf, cancellation: cancellation);
            }
            catch (TrainingInterruptedException e)
            {
                throw new CliInterruptedException(
                    $"interrupted in epoch {e.Epoch} after batch {e.BatchesDone} of {e.BatchCount}; the trial was checkpointed to {e.CheckpointPath} and finished trials are kept; run the same command again to resume", e);
            }
            if (parse.GetValue(writeConfig) is { } configPath)
            {
                File.Copy(Path.Combine(folder, "best.config.json"), configPath + ".tmp", overwrite: true);
                File.Move(configPath + ".tmp", configPath, overwrite: true);
                console.Line($"wrote {configPath}");
            }
            console.Line(string.Create(CultureInfo.InvariantCulture,
                $"tuning finished: {report.Search.Count} search trials, {report.Finalists.Count} finalist and {report.Baseline.Count} baseline runs in {report.WallSeconds / 60:0.0} min"));
            console.Line(report.BaselineChosen
                ? "chosen on validation: the untuned baseline (no tuned configuration beat it)"
                : $"chosen on validation: {TuningReportWriter.Values(report.Chosen.Values)}");
            var baselineTest = string.Create(CultureInfo.InvariantCulture, $"baseline {report.BaselineTestAccuracy.Mean:0.0000} ± {report.BaselineTestAccuracy.Std:0.0000}");
            console.Line(report.BaselineChosen ? $"test accuracy (once, ONNX Runtime): {baselineTest}"
                : string.Create(CultureInfo.InvariantCulture, $"test accuracy (once, ONNX Runtime): tuned {report.ChosenTestAccuracy.Mean:0.0000} ± {report.ChosenTestAccuracy.Std:0.0000}, {baselineTest}"));
            console.Line(TuningReportWriter.Verdict(report));
            console.Line($"best model {Path.Combine(folder, "best.onnx")}; configuration {Path.Combine(folder, "best.config.json")}; report {Path.Combine(folder, "report.md")}");
            return Task.FromResult(CliApp.Success);
        });
        return command;
    }

    private sealed class PlainProgress(CliConsole console) : ITuningProgress
    {
        public void StageStarting(string description) => console.Line(description);

        public void TrialStarting(string name, int epochs) => console.Line($"  {name}: training {epochs} epoch{(epochs == 1 ? "" : "s")}");

        public void TrialFinished(string name, TrialResult result, bool reused) => console.Line(string.Create(CultureInfo.InvariantCulture,
            $"  {name}: {(reused ? "reused" : $"done in {result.Seconds:0.0} s")}; {TuningReportWriter.Values(result.Values)}: val_accuracy {result.ValidationAccuracy:0.0000}, val_loss {result.ValidationLoss:0.0000}"));

        public void TrialClaimedElsewhere(string name, string holder) => console.Line($"  {name}: being trained by another process ({holder}); waiting for it");
    }
}

using System.CommandLine;
using System.Globalization;
using OnnxReg.Study;
using OnnxReg.Training.Models.Layers;
using OnnxReg.Training.Checkpoints;
using OnnxReg.Experiments;

namespace OnnxReg.Cli.Commands;

/// <summary>
/// <c>onnxreg study</c>: trains the grid of models × regularization techniques × seeds, exports every run, measures
/// the exported files with ONNX Runtime, and writes report.md, report.json and plots. With no options it runs the
/// default study on the embedded Fashion-MNIST subset.
/// </summary>
internal static class StudyCommand
{
    public static Command Create(CliConsole console)
    {
        var config = new Option<string>("--config") { Description = "Study file (JSON; see --write-config); options given here override it [default: the built-in study]" };
        var writeConfig = new Option<string>("--write-config") { Description = "Write the resolved study definition to this JSON file and exit [default: none]" };
        var data = CommonOptions.Data();
        var trainSize = new Option<int>("--train-size") { Description = "Training images: the first N of the training set", DefaultValueFactory = _ => new StudyDefinition().TrainSize };
        var validationSize = new Option<int>("--validation-size") { Description = "Validation images: the next N training images", DefaultValueFactory = _ => new StudyDefinition().ValidationSize };
        var testSize = new Option<int>("--test-size") { Description = "Test images: the first N of the test set (0: all)", DefaultValueFactory = _ => 0 };
        var seeds = new Option<string>("--seeds") { Description = "Seeds, comma-separated; each configuration runs once per seed", DefaultValueFactory = _ => "1,2,3" };
        var models = new Option<string>("--models") { Description = "Which of the study's models to run, comma-separated; a model file FILE.json adds its network (named after the file, trained as the cnn is, its dropout layers at 0 in the baseline) [default: all (mlp,cnn)]" };
        var techniques = new Option<string>("--techniques") { Description = "Which techniques to run, comma-separated; the first is the reference. NAME=S1,S2,… sweeps a regularizer's strength (" + string.Join(", ", OnnxReg.Training.Techniques.TechniqueRegistry.All.Select(t => t.Name)) + "), e.g. baseline,l2=1e-5,1e-4,1e-3,dropout=0.1,0.3,0.5 [default: all: baseline,l1,l2,dropout,early-stopping,augmentation,combined]" };
        var epochs = new Option<int>("--epochs") { Description = "Override every model's epoch count (0: the study's own: mlp 25, cnn 12)", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--output", "-o") { Description = "Report folder (runs are kept in its runs/ subfolder)", DefaultValueFactory = _ => "runs/study" };
        var force = new Option<bool>("--force") { Description = "Retrain every run, even those already finished with the same settings [default: off]" };
        var shard = new Option<string>("--shard") { Description = "Run as shard K of N processes sharing --output (K from 0; auto/N reads K from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID): each run is claimed before training, a crashed shard's runs are taken over, and every shard writes the report once all runs have finished [default: unsharded]" };
        var reportOnly = new Option<bool>("--report-only") { Description = "Train nothing: write the report from the runs that have finished so far [default: off]" };
        var imageBinder = new ImageOptionsBinder();
        var plain = new Option<bool>("--plain") { Description = "Log one line per epoch instead of the live progress display (automatic when output is redirected or CI is set) [default: off]" };

        var command = new Command("study", "Train a grid of regularizations, export each run, compare them on ONNX Runtime, and write a report with tables and plots")
        {
            config, writeConfig, data, imageBinder.Size, imageBinder.Color, imageBinder.Resize, trainSize, validationSize, testSize, seeds, models, techniques, epochs, output, force, shard, reportOnly, plain,
        };
        command.SetAction((parse, cancellation) =>
        {
            bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
            var definition = parse.GetValue(config) is { } path ? StudyDefinition.Load(path) : new StudyDefinition();
            if (Given(data)) definition = definition with { Data = parse.GetValue(data)! };
            if (Given(imageBinder.Size)) definition = definition with { ImageSize = parse.GetValue(imageBinder.Size) };
            if (Given(imageBinder.Color)) definition = definition with { Color = parse.GetValue(imageBinder.Color) };
            if (Given(imageBinder.Resize)) definition = definition with { Resize = parse.GetValue(imageBinder.Resize) };
            if (Given(trainSize)) definition = definition with { TrainSize = parse.GetValue(trainSize) };
            if (Given(validationSize)) definition = definition with { ValidationSize = parse.GetValue(validationSize) };
            if (Given(testSize)) definition = definition with { TestSize = parse.GetValue(testSize) };
            if (Given(seeds)) definition = definition with { Seeds = CommonOptions.Integers("--seeds", parse.GetValue(seeds)!) };
            if (Given(models)) definition = definition with { Models = SelectModels(parse.GetValue(models)!, definition.Models) };
            if (Given(techniques))
            {
                try { definition = definition with { Techniques = StudySweep.Parse(parse.GetValue(techniques)!, definition.Techniques) }; }
                catch (ArgumentException e) { throw new CliException($"--techniques: {OnnxReg.Data.ErrorMessages.OneLine(e)}"); }
            }
            if (Given(epochs))
            {
                int n = parse.GetValue(epochs);
                if (n < 1) throw new CliException($"--epochs must be at least 1; received {n}");
                definition = definition with { Models = definition.Models.Select(m => m with { Configuration = m.Configuration with { Training = m.Configuration.Training with { Epochs = n } } }).ToList() };
            }
            try { definition.Validate(); }
            catch (ArgumentException e) { throw new CliException(OnnxReg.Data.ErrorMessages.OneLine(e)); }
            if (parse.GetValue(writeConfig) is { } target)
            {
                CommonOptions.RequireWritable("--write-config", target);
                definition.Save(target);
                console.Line($"wrote {target}");
                return Task.FromResult(CliApp.Success);
            }
            var folder = parse.GetValue(output)!;
            CommonOptions.RequireWritable("--output", Path.Combine(folder, "report.md"));
            StudyShard? shardOf = null;
            if (parse.GetValue(shard) is { } shardText)
            {
                try { shardOf = StudyShard.Parse(shardText); }
                catch (FormatException e) { throw new CliException($"--shard: {e.Message}"); }
                if (parse.GetValue(force)) throw new CliException("--force cannot be used with --shard: other shards would keep their results; run unsharded, or delete the runs to retrain");
            }
            var runOptions = new StudyRunOptions(parse.GetValue(force), shardOf, parse.GetValue(reportOnly));
            // Shards share the folder on purpose (each run has its own claim); an unsharded study holds it alone.
            using var studyLock = shardOf is null && !runOptions.ReportOnly
                ? OnnxReg.Data.IO.OutputLock.Acquire(Path.Combine(folder, "report.md"), CommandLine.Format(parse.Tokens.Select(t => t.Value)))
                : null;
            bool live = !parse.GetValue(plain) && console.IsInteractive;
            StudyReport report;
            try
            {
                report = StudyProgressDisplay.Run(console, live, progress => StudyRunner.Run(definition, folder, runOptions, progress, cancellation));
            }
            catch (TrainingInterruptedException e)
            {
                throw new CliInterruptedException(
                    $"interrupted in epoch {e.Epoch} after batch {e.BatchesDone} of {e.BatchCount}; the run was checkpointed to {e.CheckpointPath} and finished runs are kept; run the same command again (without --force) to resume", e);
            }
            console.Line(report.Runs.Count < report.PlannedRuns
                ? $"partial report: {report.Runs.Count} of {report.PlannedRuns} runs have finished; report in {Path.Combine(folder, "report.md")}"
                : string.Create(CultureInfo.InvariantCulture, $"study finished: {report.Runs.Count} runs in {report.WallSeconds / 60:0.0} min{(shardOf is null ? "" : $" (shard {shardOf})")}; report in {Path.Combine(folder, "report.md")}"));
            foreach (var finding in StudyReportWriter.Findings(report))
                console.Line($"  {finding.Replace("`", "")}");
            return Task.FromResult(CliApp.Success);
        });
        return command;
    }

    // Names of the study's models, or model files: each file joins as a model named after it.
    private static List<StudyModel> SelectModels(string text, IReadOnlyList<StudyModel> available)
    {
        var files = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(item => item.EndsWith(".json", StringComparison.OrdinalIgnoreCase)).ToList();
        var fromFiles = new List<StudyModel>();
        foreach (var file in files)
        {
            if (!File.Exists(file)) throw new CliException($"--models: model file '{OnnxReg.Data.PrintableText.Escape(file, 200)}' does not exist");
            try { fromFiles.Add(StudyModel.FromModelFile(Path.GetFileNameWithoutExtension(file), NetworkSpec.Load(file))); }
            catch (InvalidDataException e) { throw new CliException($"--models: {OnnxReg.Data.ErrorMessages.OneLine(e)}"); }
        }
        var names = string.Join(",", text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(item => files.Contains(item) ? Path.GetFileNameWithoutExtension(item) : item));
        return Select("--models", names, [.. available, .. fromFiles], m => m.Name);
    }

    private static List<T> Select<T>(string option, string text, IReadOnlyList<T> available, Func<T, string> name)
    {
        var wanted = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var chosen = new List<T>();
        foreach (var item in wanted)
            chosen.Add(available.FirstOrDefault(a => name(a) == item)
                ?? throw new CliException($"{option}: '{item}' is not in the study; available: {string.Join(", ", available.Select(name))}"));
        return chosen;
    }
}

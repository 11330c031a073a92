using System.CommandLine;
using System.Globalization;
using OnnxReg.Data;
using OnnxReg.Training;
using OnnxReg.Training.Augmentation;
using OnnxReg.Training.Callbacks;
using OnnxReg.Training.Models;
using OnnxReg.Training.Models.Layers;
using OnnxReg.Training.Regularization;
using OnnxReg.Training.Schedules;
using OnnxReg.Training.Techniques;

namespace OnnxReg.Cli.Commands;

/// <summary>
/// The training options of <c>onnxreg train</c> and how they become a <see cref="TrainingConfiguration"/>: start
/// from <c>--config</c> (or the defaults) and apply every option given on the command line on top.
/// </summary>
internal sealed class TrainingOptionsBinder
{
    private static readonly TrainingConfiguration Defaults = new();

    public Option<string> Config { get; } = new("--config") { Description = "Start from this JSON configuration (see --write-config); options given on the command line override it [default: none]" };
    public Option<string> WriteConfig { get; } = new("--write-config") { Description = "Write the resolved configuration to this JSON file and exit without training [default: none]" };
    public Option<string> Model { get; } = new("--model") { Description = "Model preset: mlp, cnn or resnet (a small residual network), or a model file FILE.json describing the network layer by layer", DefaultValueFactory = _ => "mlp" };
    public Option<string> Hidden { get; } = new("--hidden") { Description = "Hidden fully connected sizes, comma-separated [default: 256,128 for mlp, 128 for the cnn head]" };
    public Option<string> Channels { get; } = new("--channels") { Description = "Convolution channels per CNN block or ResNet stage, comma-separated [default: 32,64 for cnn, 16,32 for resnet]" };
    public Option<string> Dropout { get; } = new("--dropout") { Description = "Dropout rate before each fully connected layer after a hidden one: one rate, or one per position; 0 disables", DefaultValueFactory = _ => "0" };
    public Option<string> SpatialDropout { get; } = new("--spatial-dropout") { Description = "CNN/ResNet: Dropout2d rate after each convolution block or stage: one rate, or one per block; 0 disables", DefaultValueFactory = _ => "0" };
    public Option<bool> BatchNorm { get; } = new("--batch-norm") { Description = "Add BatchNorm after each hidden fully connected layer and each convolution [default: off]", DefaultValueFactory = _ => false };
    public Option<int> Epochs { get; } = new("--epochs") { Description = "Passes over the training data (early stopping may end sooner)", DefaultValueFactory = _ => Defaults.Training.Epochs };
    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Images per mini-batch", DefaultValueFactory = _ => Defaults.Training.BatchSize };
    public Option<double> LearningRate { get; } = new("--lr") { Description = "(Initial) learning rate", DefaultValueFactory = _ => Defaults.Training.LearningRate };
    public Option<string> Optimizer { get; } = new("--optimizer") { Description = "adam, sgd (with --momentum) or adamw (--weight-decay turns adam into adamw)", DefaultValueFactory = _ => "adam" };
    public Option<double> Momentum { get; } = new("--momentum") { Description = "SGD momentum, in [0, 1)", DefaultValueFactory = _ => Defaults.Training.Momentum };
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed for initialization, the validation split, shuffling, dropout and augmentation", DefaultValueFactory = _ => Defaults.Training.Seed };
    /// <summary>One option per technique whose strength is the option's value (<c>--l1</c>, <c>--l2</c>,
    /// <c>--elastic-net</c>, <c>--weight-decay</c>, <c>--max-norm</c>, <c>--clip-grad-norm</c>, <c>--label-smoothing</c>),
    /// made from <see cref="TechniqueRegistry"/>: the name, help text and range are the technique's own.</summary>
    public IReadOnlyDictionary<string, Option<double>> Strengths { get; } = TechniqueRegistry.All.Where(t => t.TrainTakesStrength).ToDictionary(
        t => t.Name, t => new Option<double>(t.Option) { Description = $"{t.Summary}; {t.Strength}, {t.Range}", DefaultValueFactory = _ => 0.0 });

    public Option<bool> PenalizeBiases { get; } = new("--penalize-biases") { Description = "Also apply the L1/L2 penalties to biases [default: off]", DefaultValueFactory = _ => false };
    public Option<bool> PenalizeNorm { get; } = new("--penalize-norm") { Description = "Also apply the L1/L2 penalties to BatchNorm scale and shift [default: off]", DefaultValueFactory = _ => false };
    public Option<string[]> LayerPenalty { get; } = new("--layer-penalty") { Description = "Per-layer penalty NAME=L1:L2 (module path, e.g. fc3=0:0 for none); repeatable [default: none]" };
    public Option<string> ClassWeights { get; } = new("--class-weights") { Description = "Weigh the training loss per class: 'balanced' (inverse class frequency, as scikit-learn) or one weight per class, e.g. 1,1,2.5 ('none': equal)", DefaultValueFactory = _ => "none" };
    public Option<bool> EarlyStopping { get; } = new("--early-stopping") { Description = "Stop when the monitored metric stops improving, and restore the best weights (any --patience, --monitor... option also enables it) [default: off]", DefaultValueFactory = _ => false };
    public Option<string> Monitor { get; } = new("--monitor") { Description = "Early stopping metric: val_loss, val_accuracy, loss, accuracy or penalty (aliases such as val_acc are accepted)", DefaultValueFactory = _ => "val_loss" };
    public Option<string> Mode { get; } = new("--mode") { Description = "Early stopping mode: auto (from the metric's name), min or max", DefaultValueFactory = _ => "auto" };
    public Option<int> Patience { get; } = new("--patience") { Description = "Early stopping: epochs without improvement before stopping (0: stop at the first)", DefaultValueFactory = _ => new EarlyStoppingOptions().Patience };
    public Option<double> MinDelta { get; } = new("--min-delta") { Description = "Early stopping: smallest change that counts as improvement", DefaultValueFactory = _ => 0.0 };
    public Option<double?> Baseline { get; } = new("--baseline") { Description = "Early stopping: stop unless the metric beats this within --patience epochs [default: none]" };
    public Option<int> StartFromEpoch { get; } = new("--start-from-epoch") { Description = "Early stopping: epochs of warm-up before monitoring starts", DefaultValueFactory = _ => 0 };
    public Option<bool> NoRestoreBest { get; } = new("--no-restore-best") { Description = "Early stopping: keep the last epoch's weights instead of restoring the best [default: off]", DefaultValueFactory = _ => false };
    public Option<double?> DivergenceThreshold { get; } = new("--divergence-threshold") { Description = "Early stopping: stop at once when the metric is worse than this [default: none]" };
    public Option<string> Augment { get; } = new("--augment")
    {
        // Listed from the registry, so a new technique appears in --help without touching this file.
        Description = $"Augmentations, comma-separated NAME[=ARGS][@P]: {string.Join(", ", AugmentationRegistry.All.Select(t => t.Usage))}; e.g. hflip,rotate=10,scale=0.9:1.1",
        DefaultValueFactory = _ => "none",
    };
    public Option<string> Schedule { get; } = new("--lr-schedule") { Description = "Learning-rate schedule: constant, cosine or plateau", DefaultValueFactory = _ => "constant" };
    public Option<double> MinLearningRate { get; } = new("--min-lr") { Description = "Floor of the cosine and plateau schedules", DefaultValueFactory = _ => 0.0 };
    public Option<double> PlateauFactor { get; } = new("--plateau-factor") { Description = "Plateau schedule: multiply the rate by this on a plateau", DefaultValueFactory = _ => new LearningRateScheduleOptions().Factor };
    public Option<int> PlateauPatience { get; } = new("--plateau-patience") { Description = "Plateau schedule: epochs without val_loss improvement before reducing", DefaultValueFactory = _ => new LearningRateScheduleOptions().Patience };

    public TrainingOptionsBinder()
    {
        // A preset name or an existing file, checked while parsing so a typo is a usage error like any other.
        Model.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>() ?? "";
            if (Array.IndexOf(Presets, value) >= 0 || File.Exists(value)) return;
            result.AddError(UnknownModel(value));
        });
        Optimizer.AcceptOnlyFromAmong("adam", "sgd", "adamw");
        Mode.AcceptOnlyFromAmong("auto", "min", "max");
        Schedule.AcceptOnlyFromAmong("constant", "cosine", "plateau");
    }

    public IEnumerable<Option> All =>
    [
        Config, WriteConfig, Model, Hidden, Channels, Dropout, SpatialDropout, BatchNorm, Epochs, BatchSize, LearningRate, Optimizer, Momentum,
        Seed, .. Strengths.Values, PenalizeBiases, PenalizeNorm, LayerPenalty, ClassWeights, EarlyStopping, Monitor, Mode,
        Patience, MinDelta, Baseline, StartFromEpoch, NoRestoreBest, DivergenceThreshold, Augment, Schedule, MinLearningRate, PlateauFactor, PlateauPatience,
    ];

    /// <summary>Writes <paramref name="configuration"/> where <c>--write-config</c> says, if it was given (the command then exits).</summary>
    public bool WroteConfig(ParseResult parse, TrainingConfiguration configuration, CliConsole console)
    {
        if (parse.GetValue(WriteConfig) is not { } path) return false;
        CommonOptions.RequireWritable("--write-config", path);
        configuration.Save(path);
        console.Line($"wrote {path}");
        return true;
    }

    /// <summary>The configuration: --config (or defaults) with every explicitly given option applied, validated.</summary>
    /// <param name="parse">The parsed command line.</param>
    /// <param name="modelFile">A model file named some other way (summary's argument), applied as --model would be.</param>
    public TrainingConfiguration Bind(ParseResult parse, string? modelFile = null)
    {
        bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
        T Value<T>(Option<T> option) => parse.GetValue(option)!;

        var configuration = parse.GetValue(Config) is { } path ? TrainingConfiguration.Load(path) : new TrainingConfiguration();
        var model = configuration.Model;
        if (Given(Model)) model = ModelFrom(Value(Model), model);
        if (modelFile is not null) model = ModelFrom(modelFile, model);
        if (Given(Hidden)) model = model with { HiddenSizes = CommonOptions.Integers(Hidden.Name, Value(Hidden)) };
        if (Given(Channels)) model = model with { ConvChannels = CommonOptions.Integers(Channels.Name, Value(Channels)) };
        if (Given(Dropout)) model = model with { DropoutRates = Numbers(Dropout, Value(Dropout)) };
        if (Given(SpatialDropout)) model = model with { SpatialDropoutRates = Numbers(SpatialDropout, Value(SpatialDropout)) };
        if (Given(BatchNorm)) model = model with { BatchNorm = Value(BatchNorm) };

        var training = configuration.Training;
        if (Given(Epochs)) training = training with { Epochs = Value(Epochs) };
        if (Given(BatchSize)) training = training with { BatchSize = Value(BatchSize) };
        if (Given(LearningRate)) training = training with { LearningRate = Value(LearningRate) };
        if (Given(Optimizer)) training = training with { Optimizer = Value(Optimizer) switch { "sgd" => OptimizerKind.Sgd, "adamw" => OptimizerKind.AdamW, _ => OptimizerKind.Adam } };
        if (Given(Momentum)) training = training with { Momentum = Value(Momentum) };
        if (Given(Seed)) training = training with { Seed = Value(Seed) };

        var penalty = configuration.Penalty;
        if (Given(PenalizeBiases)) penalty = penalty with { IncludeBiases = Value(PenalizeBiases) };
        if (Given(PenalizeNorm)) penalty = penalty with { IncludeNormalization = Value(PenalizeNorm) };
        if (Given(LayerPenalty)) penalty = penalty with { Layers = LayerPenalties(Value(LayerPenalty)) };

        var earlyStopping = configuration.EarlyStopping;
        Option[] earlyStoppingOptions = [Monitor, Mode, Patience, MinDelta, Baseline, StartFromEpoch, NoRestoreBest, DivergenceThreshold];
        if ((Given(EarlyStopping) && Value(EarlyStopping)) || earlyStoppingOptions.Any(Given))
        {
            var es = earlyStopping ?? new EarlyStoppingOptions();
            if (Given(Monitor)) es = es with { Monitor = CanonicalMetric(Monitor.Name, Value(Monitor)) };
            if (Given(Mode)) es = es with { Mode = Enum.Parse<MonitorMode>(Value(Mode), ignoreCase: true) };
            if (Given(Patience)) es = es with { Patience = Value(Patience) };
            if (Given(MinDelta)) es = es with { MinDelta = Value(MinDelta) };
            if (Given(Baseline)) es = es with { Baseline = Value(Baseline) };
            if (Given(StartFromEpoch)) es = es with { StartFromEpoch = Value(StartFromEpoch) };
            if (Given(NoRestoreBest)) es = es with { RestoreBestWeights = !Value(NoRestoreBest) };
            if (Given(DivergenceThreshold)) es = es with { DivergenceThreshold = Value(DivergenceThreshold) };
            earlyStopping = es;
        }
        else if (Given(EarlyStopping) && !Value(EarlyStopping))
        {
            earlyStopping = null;
        }

        var augmentation = configuration.Augmentation;
        if (Given(Augment))
        {
            try { augmentation = AugmentationOptions.Parse(Value(Augment)); }
            catch (FormatException e) { throw new CliUsageException($"--augment: {e.Message}"); }
        }

        var schedule = configuration.Schedule;
        if (Given(Schedule)) schedule = schedule with { Kind = Value(Schedule) switch { "cosine" => LearningRateScheduleKind.Cosine, "plateau" => LearningRateScheduleKind.ReduceOnPlateau, _ => LearningRateScheduleKind.Constant } };
        if (Given(MinLearningRate)) schedule = schedule with { MinLearningRate = Value(MinLearningRate) };
        if (Given(PlateauFactor)) schedule = schedule with { Factor = Value(PlateauFactor) };
        if (Given(PlateauPatience)) schedule = schedule with { Patience = Value(PlateauPatience) };
        if ((Given(PlateauFactor) || Given(PlateauPatience)) && schedule.Kind != LearningRateScheduleKind.ReduceOnPlateau)
            throw new CliException("--plateau-factor and --plateau-patience apply to --lr-schedule plateau only");
        if (Given(MinLearningRate) && schedule.Kind == LearningRateScheduleKind.Constant)
            throw new CliException("--min-lr applies to --lr-schedule cosine or plateau only");

        var classWeights = configuration.ClassWeights;
        if (Given(ClassWeights))
            classWeights = Value(ClassWeights).Trim() switch
            {
                "none" => null,
                "balanced" or "auto" => new ClassWeights(Balanced: true),
                var list => new ClassWeights(Values: Numbers(ClassWeights, list)),
            };

        configuration = configuration with
        {
            Model = model, Training = training, Penalty = penalty, ClassWeights = classWeights,
            EarlyStopping = earlyStopping, Augmentation = augmentation, Schedule = schedule,
        };
        // Each technique applies its own strength, as it does in a study sweep and a tuning trial (weight decay turns
        // Adam into AdamW there and here alike); after the optimizer, which weight decay depends on.
        foreach (var (name, option) in Strengths.Where(s => Given(s.Value)))
        {
            try { configuration = TechniqueRegistry.Get(name).Apply(configuration, Value(option)); }
            catch (ArgumentException e) { throw new CliException($"{option.Name}: {OnnxReg.Data.ErrorMessages.OneLine(e)}"); }
        }
        try
        {
            configuration.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CliException($"{OptionFor(e.ParamName)}: {OnnxReg.Data.ErrorMessages.OneLine(e)}");
        }
        return configuration;
    }

    // The command-line option behind a configuration property, for error messages.
    private string OptionFor(string? property) => property switch
    {
        "Epochs" => "--epochs", "BatchSize" => "--batch-size", "LearningRate" => "--lr", "Momentum" => "--momentum",
        "WeightDecay" => "--weight-decay", "LabelSmoothing" => "--label-smoothing", "Optimizer" => "--optimizer",
        "L1" => "--l1", "L2" => "--l2", "MaxNorm" => "--max-norm", "ClipGradNorm" => "--clip-grad-norm", "Values" or "Balanced" => "--class-weights", "Patience" => "--patience", "MinDelta" => "--min-delta",
        "Baseline" => "--baseline", "StartFromEpoch" => "--start-from-epoch", "DivergenceThreshold" => "--divergence-threshold",
        "Monitor" => "--monitor", "DropoutRates" => "--dropout", "SpatialDropoutRates" => "--spatial-dropout",
        "HiddenSizes" => "--hidden", "ConvChannels" => "--channels", "BatchNorm" => "--batch-norm", "Preset" => "--model", "MinLearningRate" => "--min-lr", "Factor" => "--plateau-factor",
        "Threshold" => "--lr-schedule", _ when property?.StartsWith("Layers", StringComparison.Ordinal) == true => "--layer-penalty",
        _ => "configuration",
    };

    private static double[] Numbers(Option option, string text) => text.Split(',', StringSplitOptions.TrimEntries).Select(part =>
        double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value
            : throw new CliException($"{option.Name}: '{text}' is not a number or a comma-separated list of numbers")).ToArray();

    private static Dictionary<string, LayerPenalty> LayerPenalties(string[] items)
    {
        var layers = new Dictionary<string, LayerPenalty>();
        foreach (var item in items)
        {
            var parts = item.Split('=', 2);
            var strengths = parts.Length == 2 ? parts[1].Split(':') : [];
            if (strengths.Length != 2
                || !double.TryParse(strengths[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var l1)
                || !double.TryParse(strengths[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var l2))
                throw new CliException($"--layer-penalty: expected NAME=L1:L2 (e.g. fc3=0:0.001); received '{item}'");
            layers[parts[0].Trim()] = new LayerPenalty(l1, l2);
        }
        return layers;
    }

    private static readonly string[] Presets = ["mlp", "cnn", "resnet"];

    private static string UnknownModel(string value) => value.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
        ? $"--model: model file '{PrintableText.Escape(value, 200)}' does not exist"
        : $"'{PrintableText.Escape(value, 200)}' is not one of {string.Join(", ", Presets)}{DidYouMean.Hint(value, Presets)}, nor an existing model file (FILE.json)";

    /// <summary>A preset name, or a model file: its layers replace the architecture, what shaped a preset is cleared, and
    /// the other model settings (dropout rates…) are kept — for <c>train</c>, <c>summary</c> and <c>tune</c> alike.</summary>
    internal static ModelOptions ModelFrom(string value, ModelOptions model)
    {
        int preset = Array.IndexOf(Presets, value);
        if (preset >= 0)
            return model with { Preset = (ModelPreset)preset, Layers = null };
        if (!File.Exists(value))
            throw new CliException(UnknownModel(value));
        try
        {
            return model with { Preset = ModelPreset.Custom, Layers = NetworkSpec.Load(value), HiddenSizes = null, ConvChannels = null, BatchNorm = false };
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"--model: {ErrorMessages.OneLine(e)}");
        }
    }

    // One vocabulary: an alias (val_acc, train_loss, validationAccuracy…) is stored and printed under its canonical name.
    private static string CanonicalMetric(string option, string name) => EpochMetrics.Canonical(name)
        ?? throw new CliUsageException($"{option}: '{name}' is not a metric{DidYouMean.Hint(name, EpochMetrics.Names)}; the metrics are {string.Join(", ", EpochMetrics.Names)} (aliases: {string.Join(", ", EpochMetrics.Aliases.Keys)})");
}

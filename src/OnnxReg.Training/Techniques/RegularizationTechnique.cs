using System.Globalization;

namespace OnnxReg.Training.Techniques;

/// <summary>
/// One regularization technique with a strength, described once: its name, what its strength means and may be, how it
/// applies itself to a <see cref="TrainingConfiguration"/> and how it describes itself in one line. <c>train</c>'s
/// options, the study's technique names and sweeps (<c>l2=1e-5,1e-4</c>), the tuner's search-space names, help texts
/// and the run description all read it from <see cref="TechniqueRegistry"/>, so a name means one thing everywhere.
/// </summary>
public abstract class RegularizationTechnique
{
    /// <summary>Where it comes in <see cref="TechniqueRegistry.All"/>: the order the run description lists techniques
    /// and their hooks run in (penalty gradients before clipping).</summary>
    public abstract int Order { get; }

    /// <summary>The name in study sweeps, tuning spaces and reports (e.g. <c>l2</c>, <c>early-stopping</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Other names accepted for it (e.g. <c>patience</c> for early stopping).</summary>
    public virtual IReadOnlyList<string> Aliases => [];

    /// <summary>What it does, in one line.</summary>
    public abstract string Summary { get; }

    /// <summary>What its strength is (e.g. "the factor λ of λ·Σw²").</summary>
    public abstract string Strength { get; }

    /// <summary>What strength 0 does (e.g. "no penalty").</summary>
    public abstract string AtZero { get; }

    /// <summary>The smallest valid strength (0 for every technique).</summary>
    public virtual double MinStrength => 0;

    /// <summary>The largest valid strength.</summary>
    public abstract double MaxStrength { get; }

    /// <summary>Whether the largest strength itself is valid (a rate must stay below 1).</summary>
    public virtual bool MaxInclusive => true;

    /// <summary>Whether only whole numbers are strengths (patience in epochs, on/off).</summary>
    public virtual bool WholeNumbers => false;

    /// <summary>The <c>train</c> arguments that set it at <paramref name="strength"/> (e.g. <c>--l2 0.0001</c>): what a
    /// user types for the same meaning, and what the tests check the registry against.</summary>
    public abstract IReadOnlyList<string> TrainArguments(double strength);

    /// <summary>Whether <c>train</c>'s option for it (<c>--NAME</c>) takes the strength itself as its one number, so the
    /// option is made from this descriptor (name, meaning, range); otherwise its option has a syntax of its own
    /// (a list of rates, a flag, an augmentation list).</summary>
    public virtual bool TrainTakesStrength => false;

    /// <summary>The <c>train</c> option that sets it (e.g. <c>--l2</c>).</summary>
    public string Option => TrainArguments(1)[0];

    /// <summary><paramref name="configuration"/> with this technique at <paramref name="strength"/>, after checking the strength's range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The strength is outside its range (the message says the range and what 0 means).</exception>
    public TrainingConfiguration Apply(TrainingConfiguration configuration, double strength)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        bool inRange = double.IsFinite(strength) && strength >= MinStrength && (MaxInclusive ? strength <= MaxStrength : strength < MaxStrength)
                       && (!WholeNumbers || strength == Math.Floor(strength));
        if (!inRange)
            throw new ArgumentOutOfRangeException(nameof(strength), strength,
                $"{Name}: the strength ({Strength}) must be {Range}; received {Format(strength)}.");
        return ApplyStrength(configuration, strength);
    }

    /// <summary>The valid strengths in words, e.g. "a number in [0, 1)" or "a whole number from 0 to 1000" (0: no penalty).</summary>
    public string Range =>
        (WholeNumbers ? $"a whole number from {Format(MinStrength)} to {Format(MaxStrength)}" : $"a number in [{Format(MinStrength)}, {Format(MaxStrength)}{(MaxInclusive ? "]" : ")")}")
        + $" (0: {AtZero})";

    /// <summary>Sets the technique at a strength already checked against its range.</summary>
    protected abstract TrainingConfiguration ApplyStrength(TrainingConfiguration configuration, double strength);

    /// <summary>Whether its strength is kept in <see cref="TrainingConfiguration.Techniques"/> by its name (a technique
    /// added without a property of its own); such a technique reads and writes it with <see cref="Stored"/> and
    /// <see cref="Store"/>.</summary>
    public virtual bool StoresStrength => false;

    /// <summary>Its strength in <see cref="TrainingConfiguration.Techniques"/> (0 when absent).</summary>
    protected double Stored(TrainingConfiguration configuration) => configuration.Techniques?.GetValueOrDefault(Name) ?? 0;

    /// <summary><paramref name="configuration"/> with its strength in <see cref="TrainingConfiguration.Techniques"/>
    /// (0 removes it, and an empty set becomes null, so that a configuration without it is unchanged).</summary>
    protected TrainingConfiguration Store(TrainingConfiguration configuration, double strength)
    {
        var techniques = new SortedDictionary<string, double>(configuration.Techniques?.ToDictionary() ?? [], StringComparer.Ordinal);
        if (strength == 0) techniques.Remove(Name);
        else techniques[Name] = strength;
        return configuration with { Techniques = techniques.Count == 0 ? null : new Dictionary<string, double>(techniques) };
    }

    /// <summary>Prepares <paramref name="model"/> for training with <paramref name="configuration"/> once it is built
    /// (e.g. sets the drop rate of its residual blocks); most techniques work elsewhere and leave it alone.</summary>
    public virtual void ConfigureModel(TrainingConfiguration configuration, TorchSharp.torch.nn.Module model) { }

    /// <summary>The hooks this technique plugs into the training step for <paramref name="configuration"/> (none when
    /// it is off, or when it works through the model or the loss instead). Hooks with one key are built once.</summary>
    public virtual IEnumerable<Hooks.IStepHook> CreateHooks(TrainingConfiguration configuration, TorchSharp.torch.nn.Module model) => [];

    /// <summary>The strength <paramref name="configuration"/> has for this technique (0 when it is off).</summary>
    public abstract double StrengthIn(TrainingConfiguration configuration);

    /// <summary>The technique as set in <paramref name="configuration"/>, in a few words for the run description, or null when it is off.</summary>
    public virtual string? Describe(TrainingConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        double strength = StrengthIn(configuration);
        return strength == 0 ? null : $"{Words} {Short(strength)}";
    }

    /// <summary>How the run description names it before its strength (e.g. "L2").</summary>
    protected virtual string Words => Name;

    /// <summary>A strength as names and tables show it: shortest round-trip form, lower-case exponent (<c>l2-0.0001</c>).</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture).ToLowerInvariant();

    /// <summary>A strength as the run description shows it: four significant digits.</summary>
    public static string Short(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}

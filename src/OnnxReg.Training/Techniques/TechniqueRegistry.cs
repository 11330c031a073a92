using OnnxReg.Data;
using OnnxReg.Training.Augmentation;

namespace OnnxReg.Training.Techniques;

/// <summary>
/// Every regularization technique, by name, in the order the run description lists them. <c>train</c>, <c>study</c>
/// (technique names and sweeps) and <c>tune</c> (search-space names) read names, strengths and meanings from here;
/// adding a technique is one descriptor file and one line below.
/// </summary>
public static class TechniqueRegistry
{
    /// <summary>All techniques; the augmentations of <see cref="AugmentationRegistry"/> each come last, by their own names.</summary>
    public static IReadOnlyList<RegularizationTechnique> All { get; } =
    [
        new L1Technique(),
        new L2Technique(),
        new ElasticNetTechnique(),
        new WeightDecayTechnique(),
        new MaxNormTechnique(),
        new ClipGradNormTechnique(),
        new ClassWeightsTechnique(),
        new DropoutTechnique(),
        new SpatialDropoutTechnique(),
        new BatchNormTechnique(),
        new LabelSmoothingTechnique(),
        new AugmentationStrengthTechnique(),
        new EarlyStoppingTechnique(),
        .. AugmentationRegistry.All.Select(a => new AugmentationItemTechnique(a)),
    ];

    /// <summary>Every name and alias.</summary>
    public static IEnumerable<string> Names => All.SelectMany(t => t.Aliases.Prepend(t.Name));

    /// <summary>The technique called <paramref name="name"/> (or by an alias of it), or null.</summary>
    public static RegularizationTechnique? Find(string name) =>
        All.FirstOrDefault(t => t.Name == name || t.Aliases.Contains(name));

    /// <summary>The technique called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No technique has that name (the message gives the nearest one and the list).</exception>
    public static RegularizationTechnique Get(string name) => Find(name) ?? throw new ArgumentException(
        $"'{PrintableText.Escape(name, 40)}' is not a regularization technique{DidYouMean.Hint(name, Names)}; the techniques are {string.Join(", ", All.Select(t => t.Name))}.", nameof(name));

    /// <summary>The configuration's regularization in words, technique by technique (null entries skipped).</summary>
    public static IEnumerable<string> Describe(TrainingConfiguration configuration) =>
        All.Select(t => t.Describe(configuration)).OfType<string>();
}

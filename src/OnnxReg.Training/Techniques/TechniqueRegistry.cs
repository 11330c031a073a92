using OnnxReg.Data;
using OnnxReg.Training.Augmentation;

namespace OnnxReg.Training.Techniques;

/// <summary>
/// Every regularization technique, by name, in the order the run description lists them. <c>train</c>, <c>study</c>
/// (technique names and sweeps) and <c>tune</c> (search-space names) read names, strengths and meanings from here;
/// adding a technique is one descriptor file, found by reflection, and its implementation.
/// </summary>
public static class TechniqueRegistry
{
    /// <summary>All techniques, by <see cref="RegularizationTechnique.Order"/>: every descriptor class of this assembly
    /// (a new technique is one descriptor file, found here without being listed), then each augmentation of
    /// <see cref="AugmentationRegistry"/> by its own name.</summary>
    public static IReadOnlyList<RegularizationTechnique> All { get; } =
    [
        .. typeof(RegularizationTechnique).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(RegularizationTechnique)) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (RegularizationTechnique)Activator.CreateInstance(t)!)
            .OrderBy(t => t.Order).ThenBy(t => t.Name, StringComparer.Ordinal),
        .. AugmentationRegistry.All.Select(a => new AugmentationItemTechnique(a)),
    ];

    /// <summary>Each technique by its name and by each of its aliases, in the registry's order.</summary>
    public static IReadOnlyList<KeyValuePair<string, RegularizationTechnique>> ByName { get; } =
        [.. All.SelectMany(t => t.Aliases.Prepend(t.Name).Select(name => KeyValuePair.Create(name, t)))];

    /// <summary>Every name and alias.</summary>
    public static IEnumerable<string> Names => ByName.Select(p => p.Key);

    /// <summary>The technique called <paramref name="name"/> (or by an alias of it), or null.</summary>
    public static RegularizationTechnique? Find(string name) =>
        ByName.FirstOrDefault(p => p.Key == name).Value;

    /// <summary>The technique called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No technique has that name (the message gives the nearest one and the list).</exception>
    public static RegularizationTechnique Get(string name) => Find(name) ?? throw new ArgumentException(
        $"'{PrintableText.Escape(name, 40)}' is not a regularization technique{DidYouMean.Hint(name, Names)}; the techniques are {string.Join(", ", All.Select(t => t.Name))}.", nameof(name));

    /// <summary>The configuration's regularization in words, technique by technique (null entries skipped).</summary>
    public static IEnumerable<string> Describe(TrainingConfiguration configuration) =>
        All.Select(t => t.Describe(configuration)).OfType<string>();
}

using OnnxReg.Training.Augmentation;
using OnnxReg.Training.Augmentation.Techniques;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Augmentation;

/// <summary>One table of techniques serves the parser, the checks, the text form and the help; each technique's
/// sampling and application are separate steps, tested apart.</summary>
public class AugmentationRegistryTests
{
    private static readonly Dictionary<string, string> Examples = new()
    {
        ["hflip"] = "hflip@0.3", ["vflip"] = "vflip", ["rotate"] = "rotate=12", ["scale"] = "scale=0.8:1.25@0.5", ["translate"] = "translate=0.1",
        ["crop"] = "crop=3", ["resized-crop"] = "resized-crop=0.5:1", ["jitter"] = "jitter=0.4:0.4:0.4:0.1", ["gray"] = "gray@0.2", ["erase"] = "erase=0.05:0.2", ["noise"] = "noise=0.1", ["mixup"] = "mixup=0.4", ["cutmix"] = "cutmix",
    };

    [Test]
    public void EveryRegisteredTechnique_ParsesFromItsName_IsEnabledAlone_AndRoundTripsThroughItsTextForm()
    {
        Assert.That(AugmentationRegistry.All.Select(t => t.Name), Is.Unique);
        Assert.That(AugmentationOptions.Names, Is.EqualTo(AugmentationRegistry.All.Select(t => t.Name)));
        Assert.That(Examples.Keys, Is.EquivalentTo(AugmentationOptions.Names), "every technique has an example here");
        foreach (var technique in AugmentationRegistry.All)
        {
            var options = AugmentationOptions.Parse(Examples[technique.Name]);
            Assert.That(AugmentationRegistry.All.Where(t => t.IsEnabled(options)), Is.EqualTo(new[] { technique }), technique.Name);
            Assert.That(options.ToString(), Does.StartWith(technique.Name), technique.Name);
            Assert.That(AugmentationOptions.Parse(options.ToString()), Is.EqualTo(options), technique.Name);
            Assert.That(AugmentationRegistry.Describe(), Does.Contain(technique.Usage + ": " + technique.Summary));
        }
    }

    [Test]
    public void FlipApplication_MirrorsExactlyTheSamplesItsMaskChose()
    {
        using var scope = NewDisposeScope();
        var images = tensor(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, [2, 1, 2, 2]);
        var mask = tensor(new[] { true, false }).view(-1, 1, 1, 1);
        var flipped = new FlipAugmentation(horizontal: true).Apply(images, mask);
        Assert.That(flipped.data<float>().ToArray(), Is.EqualTo(new float[] { 2, 1, 4, 3, 5, 6, 7, 8 }));
        var upsideDown = new FlipAugmentation(horizontal: false).Apply(images, mask);
        Assert.That(upsideDown.data<float>().ToArray(), Is.EqualTo(new float[] { 3, 4, 1, 2, 5, 6, 7, 8 }));
    }

    [Test]
    public void EraseSampling_DrawsOneBoxPerChosenSample_WithinTheAreaRange_AndApplicationZeroesIt()
    {
        using var scope = NewDisposeScope();
        var options = AugmentationOptions.Parse("erase=0.1:0.2@1");
        using var generator = new Generator(7);
        var box = new EraseAugmentation().Sample(options, [64, 1, 20, 20], new AugmentationRandom(generator));
        Assert.That(box.shape, Is.EqualTo(new long[] { 64, 1, 20, 20 }));
        var areas = box.sum([1, 2, 3]).to(ScalarType.Float32).div(400).data<float>().ToArray();
        // Rounding the box's sides to whole pixels moves the area a little off the drawn 10–20 %.
        Assert.That(areas, Has.All.InRange(0.06f, 0.26f));

        var images = ones(64, 1, 20, 20);
        var erased = new EraseAugmentation().Apply(images, box);
        Assert.That(erased.eq(0).ne(box).sum().item<long>(), Is.EqualTo(0), "exactly the box is set to 0");
        Assert.That(erased.eq(0).sum().item<long>(), Is.EqualTo(box.sum().item<long>()).And.GreaterThan(0));
    }

    [Test]
    public void NoiseSampling_IsZeroForSamplesNotChosen()
    {
        using var scope = NewDisposeScope();
        var options = AugmentationOptions.Parse("noise=0.5@0.5");
        using var generator = new Generator(3);
        var noise = new NoiseAugmentation().Sample(options, [200, 1, 4, 4], new AugmentationRandom(generator));
        var perSample = noise.abs().sum([1, 2, 3]).data<float>().ToArray();
        int untouched = perSample.Count(v => v == 0);
        Assert.That(untouched, Is.InRange(70, 130), "about half the samples are left alone at P 0.5");
        var std = noise.index_select(0, nonzero(noise.abs().sum([1, 2, 3])).squeeze(1)).std().item<float>();
        Assert.That(std, Is.EqualTo(0.5f).Within(0.05f));
    }
}

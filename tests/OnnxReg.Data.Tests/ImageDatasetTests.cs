namespace OnnxReg.Data.Tests;

public class ImageDatasetTests
{
    [Test]
    public void Subset_CopiesImagesAndLabelsInOrder()
    {
        var data = new ImageDataset([1, 1, 2, 2, 3, 3], [0, 1, 0], 1, 1, 2, ["a", "b"]);
        var subset = data.Subset([2, 0]);
        Assert.That(subset.Pixels, Is.EqualTo(new byte[] { 3, 3, 1, 1 }));
        Assert.That(subset.Labels, Is.EqualTo(new byte[] { 0, 0 }));
    }

    [Test]
    public void Rejects_PixelCountThatDoesNotMakeWholeImages()
    {
        var e = Assert.Throws<ArgumentException>(() => new ImageDataset([1, 2, 3], [0, 1], 1, 1, 2, ["a", "b"]));
        Assert.That(e!.Message, Does.Contain("3 pixel bytes do not make 2 images"));
    }

    [Test]
    public void Rejects_LabelBeyondClasses()
    {
        var e = Assert.Throws<ArgumentException>(() => new ImageDataset([1, 2], [0, 2], 1, 1, 1, ["a", "b"]));
        Assert.That(e!.Message, Does.Contain("Label 2"));
    }
}

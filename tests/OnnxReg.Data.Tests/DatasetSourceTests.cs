using OnnxReg.Data.Idx;

namespace OnnxReg.Data.Tests;

public class DatasetSourceTests
{
    [Test]
    public void Embedded_HoldsTheDocumentedFashionMnistSubset()
    {
        var pair = DatasetSource.Load(DatasetSource.Embedded);
        Assert.That(pair.Train.Count, Is.EqualTo(6000));
        Assert.That(pair.Test.Count, Is.EqualTo(2000));
        Assert.That((pair.Train.Channels, pair.Train.Height, pair.Train.Width), Is.EqualTo((1, 28, 28)));
        Assert.That(pair.Train.ClassNames, Is.EqualTo(FashionMnist.ClassNames));
        // Every class is present in both parts (the official files are roughly balanced).
        Assert.That(pair.Train.Labels.Distinct().Count(), Is.EqualTo(10));
        Assert.That(pair.Test.Labels.Distinct().Count(), Is.EqualTo(10));
        // The first official training label of Fashion-MNIST is 9 (ankle boot), the first test label 9 too.
        Assert.That(pair.Train.Labels[0], Is.EqualTo(9));
        Assert.That(pair.Test.Labels[0], Is.EqualTo(9));
    }

    [Test]
    public void Embedded_MatchesTheFullPackage_WhereInstalled()
    {
        if (!Directory.Exists(FashionMnist.PackageDirectory))
            Assert.Ignore($"{FashionMnist.PackageDirectory} is not installed (tools/setup.sh installs it).");
        var full = DatasetSource.Load(DatasetSource.FashionMnistPackage);
        var embedded = DatasetSource.Load(DatasetSource.Embedded);
        Assert.That(full.Train.Count, Is.EqualTo(60000));
        Assert.That(full.Test.Count, Is.EqualTo(10000));
        Assert.That(full.Train.Pixels.AsSpan(0, embedded.Train.Pixels.Length).SequenceEqual(embedded.Train.Pixels), Is.True);
        Assert.That(full.Test.Labels.AsSpan(0, 2000).SequenceEqual(embedded.Test.Labels), Is.True);
    }

    [Test]
    public void Folder_ReadsFourIdxFiles_WithClassNamesFromClassesTxt()
    {
        using var folder = WriteFolder(trainCount: 5, testCount: 3);
        File.WriteAllLines(folder.File("classes.txt"), ["zero", "one", "two"]);
        var pair = DatasetSource.Load(folder.Path);
        Assert.That(pair.Train.Count, Is.EqualTo(5));
        Assert.That(pair.Test.Count, Is.EqualTo(3));
        Assert.That(pair.Train.ClassNames, Is.EqualTo(new[] { "zero", "one", "two" }));
    }

    [Test]
    public void Folder_WithoutClassNames_NamesClassesByIndex()
    {
        using var folder = WriteFolder(trainCount: 5, testCount: 3);
        var pair = DatasetSource.Load(folder.Path);
        Assert.That(pair.Train.ClassNames, Is.EqualTo(new[] { "0", "1", "2" }));
    }

    [Test]
    public void MissingFolder_SaysHowToGetData()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => DatasetSource.Load("/no/such/folder"));
        Assert.That(e!.Message, Does.Contain("/no/such/folder").And.Contain("--data embedded").And.Contain("dataset-fashion-mnist"));
    }

    [Test]
    public void FolderMissingAFile_NamesTheFile()
    {
        using var folder = WriteFolder(trainCount: 5, testCount: 3);
        File.Delete(folder.File("t10k-labels-idx1-ubyte.gz"));
        var e = Assert.Throws<FileNotFoundException>(() => DatasetSource.Load(folder.Path));
        Assert.That(e!.Message, Does.Contain("t10k-labels-idx1-ubyte"));
    }

    [Test]
    public void ImageAndLabelCountsThatDiffer_AreRejectedWithBothCounts()
    {
        using var folder = WriteFolder(trainCount: 5, testCount: 3);
        IdxWriter.Write(folder.File("train-labels-idx1-ubyte.gz"), new IdxArray([4], [0, 1, 2, 0]), gzip: true);
        var e = Assert.Throws<InvalidDataException>(() => DatasetSource.Load(folder.Path));
        Assert.That(e!.Message, Does.Contain("5 images but 4 labels"));
    }

    [Test]
    public void LabelBeyondClassNames_IsRejected()
    {
        using var folder = WriteFolder(trainCount: 5, testCount: 3);
        File.WriteAllLines(folder.File("classes.txt"), ["a", "b"]);
        var e = Assert.Throws<InvalidDataException>(() => DatasetSource.Load(folder.Path));
        Assert.That(e!.Message, Does.Contain("only 2 classes"));
    }

    [Test]
    public void LoadTest_CountsClassesLikeLoad_WithoutReadingTheTrainingImages()
    {
        // The test split holds labels 0 and 1 only; the training labels also hold 2.
        using var folder = WriteFolder(trainCount: 5, testCount: 2);
        var full = DatasetSource.Load(folder.Path);
        File.WriteAllText(folder.File("train-images-idx3-ubyte.gz"), "not an IDX file");
        var test = DatasetSource.LoadTest(folder.Path);
        Assert.That(test.ClassNames, Is.EqualTo(full.Test.ClassNames).And.EqualTo(new[] { "0", "1", "2" }));
        Assert.That(test.Labels, Is.EqualTo(full.Test.Labels));
        Assert.That(test.Pixels, Is.EqualTo(full.Test.Pixels));
    }

    internal static TempFolder WriteFolder(int trainCount, int testCount)
    {
        var folder = new TempFolder();
        void Write(string split, int count)
        {
            IdxWriter.Write(folder.File($"{split}-images-idx3-ubyte.gz"), new IdxArray([count, 4, 4], Idx.IdxReaderTests.RandomBytes(count * 16, count)), gzip: true);
            IdxWriter.Write(folder.File($"{split}-labels-idx1-ubyte.gz"), new IdxArray([count], Enumerable.Range(0, count).Select(i => (byte)(i % 3)).ToArray()), gzip: true);
        }
        Write("train", trainCount);
        Write("t10k", testCount);
        return folder;
    }
}

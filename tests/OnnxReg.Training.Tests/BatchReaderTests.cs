using OnnxReg.Data;
using OnnxReg.Data.Storage;
using OnnxReg.Data.Synthetic;
using OnnxReg.Training.Models;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests;

/// <summary>Batches of a streamed split: read from disk when asked for, on the caller's thread, with the same values in
/// the same order as a split held in memory — and training on them gives the same weights.</summary>
public class BatchReaderTests
{
    // An image store over an array that is slow and uneven (as disks and decoders are), counting what it reads.
    private sealed class SlowStore(ImageDataset data, Func<int, int>? delayMs = null) : IImageStore
    {
        public int Reads;
        public readonly List<int> ReadingThreads = [];
        public int Count => data.Count;
        public int SampleSize => data.SampleSize;

        public void Read(ReadOnlySpan<int> indices, Span<byte> destination)
        {
            Interlocked.Increment(ref Reads);
            lock (ReadingThreads) ReadingThreads.Add(Environment.CurrentManagedThreadId);
            if (delayMs is not null) Thread.Sleep(delayMs(indices[0]));
            data.ReadImages(indices, destination);
        }
    }

    private static ImageDataset Streamed(ImageDataset data, IImageStore store) =>
        new(store, data.Labels, data.Channels, data.Height, data.Width, data.ClassNames) { Preparation = data.Preparation };

    [Test]
    public void AStreamedSplit_GivesTheSameBatchesInTheSameOrder_WhateverTheReadTimes()
    {
        var data = ColorShapes.Generate(70, 16, seed: 5);
        var normalization = Normalization.Estimate(data);
        var store = new SlowStore(data, index => index % 3 == 0 ? 15 : 0); // some batches arrive later than others
        using var inMemory = TensorDataset.From(data, normalization);
        using var streamed = TensorDataset.From(Streamed(data, store), normalization);
        Assert.That(streamed.IsStreamed && !inMemory.IsStreamed);
        using var order = randperm(70, generator: new TorchSharp.torch.Generator(9));
        using var expected = inMemory.Read(order, 16, firstBatch: 1);
        using var actual = streamed.Read(order, 16, firstBatch: 1);
        int batches = 0;
        while (expected.HasNext)
        {
            using var scope = NewDisposeScope();
            var (images, labels) = expected.Next();
            var (streamedImages, streamedLabels) = actual.Next();
            Assert.That(streamedImages.data<float>().ToArray(), Is.EqualTo(images.data<float>().ToArray()), $"batch {batches + 1}");
            Assert.That(streamedLabels.data<long>().ToArray(), Is.EqualTo(labels.data<long>().ToArray()));
            batches++;
        }
        Assert.That(batches, Is.EqualTo(4), "batches 2 to 5 of 16, 16, 16, 16, 6");
        Assert.That(actual.HasNext, Is.False);
        Assert.Throws<InvalidOperationException>(() => actual.Next());
    }

    [Test]
    public void AStreamedBatch_IsReadWhenAskedFor_OnTheCallersThread()
    {
        // No other thread may allocate while the trainer is inside libtorch (TorchSharp's implicit Scalars can be
        // finalized mid-call by a collection another thread starts), so nothing is read ahead.
        var data = ColorShapes.Generate(40, 16, seed: 2);
        var store = new SlowStore(data, _ => 5);
        using var streamed = TensorDataset.From(Streamed(data, store), Normalization.Estimate(data));
        int before = store.Reads;
        using var reader = streamed.Read(null, 10);
        Thread.Sleep(50);
        Assert.That(store.Reads, Is.EqualTo(before), "nothing is read before a batch is asked for");
        using var scope = NewDisposeScope();
        reader.Next();
        reader.Next();
        Thread.Sleep(50);
        Assert.That(store.Reads - before, Is.EqualTo(2), "one read per batch asked for, none ahead");
        Assert.That(store.ReadingThreads.Skip(before).Distinct(), Is.EqualTo(new[] { Environment.CurrentManagedThreadId }));
    }

    [Test]
    public void AStreamedBatch_LeavesOnlyItsImagesAndLabels_InTheCallersScope()
    {
        // Whatever else the batch's normalization made (the gather's int64 positions: twice the images' size) would be
        // held by the scope through the forward and backward passes, on top of the activations.
        var data = ColorShapes.Generate(20, 16, seed: 3);
        using var streamed = TensorDataset.From(Streamed(data, new SlowStore(data)), Normalization.Estimate(data));
        using var reader = streamed.Read(null, 8);
        using var scope = NewDisposeScope();
        var (images, labels) = reader.Next();
        Assert.That(scope.DisposablesCount, Is.EqualTo(2));
        Assert.That(scope.DisposablesView, Is.EquivalentTo(new IDisposable[] { images, labels }));
        Assert.That(images.shape, Is.EqualTo(new long[] { 8, 3, 16, 16 }));
    }

    [Test]
    public void AFailingRead_SurfacesAtTheBatchThatNeededIt()
    {
        var data = ColorShapes.Generate(40, 16, seed: 2);
        var failing = new FailingStore(data, failAt: 25);
        using var streamed = TensorDataset.From(Streamed(data, failing), Normalization.None);
        using var reader = streamed.Read(null, 10);
        using var scope = NewDisposeScope();
        reader.Next();
        reader.Next();
        var error = Assert.Throws<InvalidDataException>(() => reader.Next());
        Assert.That(error!.Message, Does.Contain("image 25"));
    }

    private sealed class FailingStore(ImageDataset data, int failAt) : IImageStore
    {
        public int Count => data.Count;
        public int SampleSize => data.SampleSize;

        public void Read(ReadOnlySpan<int> indices, Span<byte> destination)
        {
            if (indices.Contains(failAt)) throw new InvalidDataException($"image {failAt} no longer decodes");
            data.ReadImages(indices, destination);
        }
    }

    [Test]
    public void TrainingOnAStreamedSplit_GivesTheSameWeightsAndHistory_AsInMemory()
    {
        var train = ColorShapes.Generate(200, 16, seed: 1);
        var validation = ColorShapes.Generate(60, 16, seed: 2);
        var normalization = Normalization.Estimate(train);
        var configuration = new TrainingConfiguration
        {
            Model = new ModelOptions { Preset = ModelPreset.Cnn, ConvChannels = [4, 8] },
            Training = new TrainingOptions { Epochs = 2, BatchSize = 32, Seed = 4 },
            Augmentation = new OnnxReg.Training.Augmentation.AugmentationOptions { HorizontalFlip = new OnnxReg.Training.Augmentation.AugmentationOptions.Flip() },
        };
        (string Weights, string History) Fit(ImageDataset trainImages, ImageDataset validationImages)
        {
            using var model = ModelPresets.Create(configuration.Model, 3, 16, 16, 10, seed: 4);
            using var trainTensors = TensorDataset.From(trainImages, normalization);
            using var validationTensors = TensorDataset.From(validationImages, normalization);
            var history = new Trainer(configuration).Fit(model, trainTensors, validationTensors);
            var weights = string.Join(",", model.parameters().Select(p => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(p.contiguous().bytes))));
            return (weights, string.Join(";", history.Epochs.Select(e => $"{e.TrainLoss:R}/{e.ValidationLoss:R}/{e.TrainAccuracy:R}")));
        }
        var inMemory = Fit(train, validation);
        var streamed = Fit(Streamed(train, new SlowStore(train, i => i % 5)), Streamed(validation, new SlowStore(validation)));
        Assert.That(streamed.History, Is.EqualTo(inMemory.History));
        Assert.That(streamed.Weights, Is.EqualTo(inMemory.Weights));
    }
}

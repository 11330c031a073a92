using OnnxReg.Data.IO;

namespace OnnxReg.Data.Tests.IO;

public class BoundedCopyTests
{
    private sealed class ForwardOnly(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [Test]
    public void StreamUpToTheCap_IsCopiedWhole_AndRewound()
    {
        var bytes = Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray();
        using var copy = BoundedCopy.Read(new ForwardOnly(bytes), cap: bytes.Length, cap => $"over {cap}");
        Assert.That(copy.Position, Is.EqualTo(0));
        Assert.That(copy.ToArray(), Is.EqualTo(bytes));
        using var asyncCopy = BoundedCopy.ReadAsync(new ForwardOnly(bytes), cap: bytes.Length, cap => $"over {cap}").GetAwaiter().GetResult();
        Assert.That(asyncCopy.ToArray(), Is.EqualTo(bytes));
    }

    [Test]
    public void StreamOverTheCap_IsRefused_WithTheCallersMessage()
    {
        var bytes = new byte[200_001];
        var e = Assert.Throws<InvalidDataException>(() => BoundedCopy.Read(new ForwardOnly(bytes), cap: 200_000, cap => $"upload is over {cap:N0} bytes"));
        Assert.That(e!.Message, Is.EqualTo("upload is over 200,000 bytes"));
        Assert.ThrowsAsync<InvalidDataException>(() => BoundedCopy.ReadAsync(new ForwardOnly(bytes), cap: 200_000, cap => "over"));
    }
}

using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OnnxReg.Cli.Tests;

/// <summary><c>train --log-dir</c>: the history as CSV and as TensorBoard event files, both read back and compared
/// with the history JSON the same run wrote.</summary>
public class TrainingLogTests : TempFolderTest
{
    [Test]
    public void LogDir_HoldsTheSameEpochsAsTheHistory_AsCsvAndAsTensorBoardScalars()
    {
        var logs = Path.Combine(Folder, "logs");
        var run = CliRun.Of("train", "--train-size", "300", "--epochs", "2", "-o", Path.Combine(Folder, "m.onnx"), "--log-dir", logs);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        using var history = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "m.history.json")));
        var epochs = history.RootElement.GetProperty("epochs").EnumerateArray().ToList();

        var csv = File.ReadAllLines(Path.Combine(logs, "history.csv"));
        Assert.That(csv[0], Is.EqualTo("epoch,loss,accuracy,val_loss,val_accuracy,penalty,lr,seconds"));
        Assert.That(csv, Has.Length.EqualTo(3));
        for (int i = 0; i < 2; i++)
        {
            var cells = csv[i + 1].Split(',');
            Assert.That(int.Parse(cells[0], CultureInfo.InvariantCulture), Is.EqualTo(i + 1));
            Assert.That(double.Parse(cells[1], CultureInfo.InvariantCulture), Is.EqualTo(epochs[i].GetProperty("loss").GetDouble()));
            Assert.That(double.Parse(cells[4], CultureInfo.InvariantCulture), Is.EqualTo(epochs[i].GetProperty("val_accuracy").GetDouble()));
        }

        var events = Directory.GetFiles(logs, "events.out.tfevents.*");
        Assert.That(events, Has.Length.EqualTo(1));
        var scalars = ReadScalars(events[0]);
        foreach (var name in new[] { "loss", "accuracy", "val_loss", "val_accuracy", "lr" })
            for (int i = 0; i < 2; i++)
                Assert.That(scalars[(name, i + 1)], Is.EqualTo((float)epochs[i].GetProperty(name).GetDouble()), $"{name} at epoch {i + 1}");
    }

    [Test]
    public void LogDirThatIsAFile_IsRefusedBeforeTraining()
    {
        var file = Path.Combine(Folder, "taken");
        File.WriteAllText(file, "x");
        Assert.That(CliRun.Of("train", "--log-dir", file).AssertOneLineError(), Does.Contain("--log-dir must be a folder"));
    }

    // TFRecord framing (length, masked CRC, Event protobuf, masked CRC) and just enough of the Event and Summary
    // messages to read scalars: Event.step = 2 (varint), Event.summary = 5; Summary.value = 1; Value.tag = 1, simple_value = 2 (float).
    private static Dictionary<(string Tag, long Step), float> ReadScalars(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var scalars = new Dictionary<(string, long), float>();
        for (int at = 0; at < bytes.Length;)
        {
            long length = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at));
            var record = bytes.AsSpan(at + 12, (int)length);
            at += 12 + (int)length + 4;
            long step = 0;
            foreach (var (field, value) in Fields(record.ToArray()))
            {
                if (field == 2) step = (long)value.Varint;
                if (field != 5) continue;
                foreach (var (summaryField, entry) in Fields(value.Bytes!))
                {
                    if (summaryField != 1) continue;
                    string tag = "";
                    float simple = float.NaN;
                    foreach (var (valueField, v) in Fields(entry.Bytes!))
                    {
                        if (valueField == 1) tag = Encoding.UTF8.GetString(v.Bytes!);
                        if (valueField == 2) simple = BitConverter.Int32BitsToSingle((int)v.Varint);
                    }
                    scalars[(tag, step)] = simple;
                }
            }
        }
        return scalars;
    }

    private readonly record struct Wire(ulong Varint, byte[]? Bytes);

    private static IEnumerable<(int Field, Wire Value)> Fields(byte[] message)
    {
        int at = 0;
        ulong ReadVarint()
        {
            ulong result = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = message[at++];
                result |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return result;
            }
        }
        while (at < message.Length)
        {
            ulong tag = ReadVarint();
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            switch (wire)
            {
                case 0: yield return (field, new Wire(ReadVarint(), null)); break;
                case 1: yield return (field, new Wire(BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(at)), null)); at += 8; break;
                case 2:
                    int length = (int)ReadVarint();
                    yield return (field, new Wire(0, message.AsSpan(at, length).ToArray()));
                    at += length;
                    break;
                case 5: yield return (field, new Wire(BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(at)), null)); at += 4; break;
                default: throw new InvalidDataException($"wire type {wire}");
            }
        }
    }
}

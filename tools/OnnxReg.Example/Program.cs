// classify MODEL.onnx IMAGE...: prints the top three classes of each image, using only OnnxReg.Runtime.
using OnnxReg.Runtime;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: classify MODEL.onnx IMAGE [IMAGE...]");
    return 2;
}
try
{
    using var classifier = OnnxClassifier.Load(args[0]);
    foreach (var image in args[1..])
    {
        var prediction = classifier.PredictImage(image);
        Console.WriteLine($"{image}: {string.Join(", ", prediction.Top(3).Select(t => $"{t.ClassName} {t.Probability:0.000}"))}");
    }
    return 0;
}
catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
{
    Console.Error.WriteLine($"classify: {e.Message}");
    return 1;
}

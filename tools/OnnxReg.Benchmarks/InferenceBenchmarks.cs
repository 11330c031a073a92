using Microsoft.ML.OnnxRuntime;
using OnnxReg.Data;
using OnnxReg.Export;
using OnnxReg.Onnx;
using OnnxReg.Runtime;
using OnnxReg.Training.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Benchmarks;

/// <summary>
/// Inference through the runtime library against ONNX Runtime's C# API called directly with the same session options
/// (OrtValues over preallocated arrays, created once) and against TorchSharp in evaluation mode.
/// </summary>
public static class InferenceBenchmarks
{
    public static IEnumerable<string[]> Run(BenchmarkSettings settings, ImageDataset test, string folder)
    {
        foreach (var preset in settings.MeasuredPresets)
        {
            using var network = ModelPresets.Create(preset, 1, 28, 28, 10, 0, seed: 1);
            network.eval();
            var path = Path.Combine(folder, $"{preset}.onnx".ToLowerInvariant());
            new OnnxExporter().Export(network, [1, 28, 28], path, new ExportOptions { Normalization = new Normalization(0.286f, 0.353f) });
            using var classifier = OnnxClassifier.Load(path);
            using var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            using var session = new InferenceSession(path, sessionOptions);
            foreach (int batch in new[] { 1, 256 })
            {
                var inputs = new float[batch * 784];
                classifier.PreparePixels(test.Pixels.AsSpan(0, batch * 784), inputs);
                var outputs = new float[batch * 10];
                using var direct = new DirectRunner(session, inputs, outputs, batch);
                using var torchInput = tensor(inputs, [batch, 1, 28, 28]);
                Action runtime = () => classifier.Run(inputs, batch, outputs);
                Action engine = direct.Run;
                Action torchEval = () =>
                {
                    using var noGrad = no_grad();
                    using var scope = NewDisposeScope();
                    network.forward(torchInput);
                };
                int calls = batch == 1 ? settings.LatencyCalls : settings.ThroughputCalls;
                // Blocks of calls, alternating between the three a few times. ONNX Runtime's and libtorch's worker threads
                // spin for a while after each call, so a short pause lets them park before the next contender runs.
                var times = new[] { new List<double>(), new List<double>(), new List<double>() };
                var actions = new[] { runtime, engine, torchEval };
                foreach (var action in actions) Measure.Times(action, 1, warmup: 20);
                int rounds = 5, perRound = Math.Max(1, calls / rounds);
                for (int round = 0; round < rounds; round++)
                    for (int a = 0; a < 3; a++)
                    {
                        Thread.Sleep(50);
                        times[a].AddRange(Measure.Times(actions[a], perRound, warmup: 2));
                    }
                double runtimeAllocated = Measure.AllocatedBytesPerCall(runtime, 200);
                double engineAllocated = Measure.AllocatedBytesPerCall(engine, 200);
                string name = preset.ToString().ToLowerInvariant();
                if (batch == 1)
                {
                    double r = Measure.Median(times[0]), e = Measure.Median(times[1]), t = Measure.Median(times[2]);
                    yield return [name, "1", Us(r), Us(Measure.Percentile(times[0], 99)), Us(e), Us(Measure.Percentile(times[1], 99)), Us(t),
                        $"{r / e:0.00}", $"{t / r:0.0}×", $"{runtimeAllocated:0} B / {engineAllocated:0} B"];
                }
                else
                {
                    double r = batch / Measure.Median(times[0]), e = batch / Measure.Median(times[1]), t = batch / Measure.Median(times[2]);
                    yield return [name, "256", $"{r:N0}/s", "", $"{e:N0}/s", "", $"{t:N0}/s", $"{e / r:0.00}", $"{r / t:0.0}×", $"{runtimeAllocated:0} B / {engineAllocated:0} B"];
                }
            }
        }
    }

    /// <summary>Export time per preset (median), into memory and onto disk.</summary>
    public static IEnumerable<string[]> Export(BenchmarkSettings settings, string folder)
    {
        foreach (var preset in new[] { ModelPreset.Mlp, ModelPreset.Cnn, ModelPreset.ResNet })
        {
            using var network = ModelPresets.Create(new ModelOptions(preset, DropoutRates: [0.3], BatchNorm: true), 1, 28, 28, 10, seed: 1);
            var path = Path.Combine(folder, $"export-{preset}.onnx".ToLowerInvariant());
            var times = Measure.Times(() => new OnnxExporter().Export(network, [1, 28, 28], path), settings.ExportRepetitions, warmup: 1);
            var summary = OnnxModelSummary.Of(OnnxModelSerializer.Read(path));
            yield return [preset.ToString().ToLowerInvariant(), $"{summary.ParameterCount:N0}", $"{new FileInfo(path).Length / 1024.0:0} KiB", $"{Measure.Median(times) * 1000:0.0} ms"];
        }
    }

    private static string Us(double seconds) => $"{seconds * 1e6:0.0} µs";

    /// <summary>ONNX Runtime as its documentation recommends for steady inference: OrtValues over pinned, preallocated arrays, made once.</summary>
    private sealed class DirectRunner : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly OrtValue _input;
        private readonly OrtValue _output;
        private readonly RunOptions _runOptions = new();
        private readonly string[] _inputNames;
        private readonly string[] _outputNames;
        private readonly OrtValue[] _inputs;
        private readonly OrtValue[] _outputs;

        public DirectRunner(InferenceSession session, float[] inputs, float[] outputs, int batch)
        {
            _session = session;
            _input = OrtValue.CreateTensorValueFromMemory(inputs, [batch, 1, 28, 28]);
            _output = OrtValue.CreateTensorValueFromMemory(outputs, [batch, 10]);
            _inputNames = [session.InputNames[0]];
            _outputNames = [session.OutputNames[0]];
            _inputs = [_input];
            _outputs = [_output];
        }

        public void Run() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);

        public void Dispose()
        {
            _input.Dispose();
            _output.Dispose();
            _runOptions.Dispose();
        }
    }
}

using Microsoft.ML.OnnxRuntime;
using OnnxReg.Cli;
using OnnxReg.Training;

// libtorch reads its kernel caps and log level from the C library's environment when it loads; set them before any
// command can touch it, so every seeded run computes the same numbers on every x86-64 CPU (see CpuKernels).
CpuKernels.Apply();

// ONNX Runtime's process-wide logger would print its own coloured warning lines on stderr; every failure reaches
// the command line as an exception and is reported there in one line.
var ortOptions = new EnvironmentCreationOptions { logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
OrtEnv.CreateInstanceWithOptions(ref ortOptions);
return CliApp.Run(args, Console.Out, Console.Error);

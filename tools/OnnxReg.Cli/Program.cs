using Microsoft.ML.OnnxRuntime;
using OnnxReg.Cli;

// ONNX Runtime's process-wide logger would print its own coloured warning lines on stderr; every failure reaches
// the command line as an exception and is reported there in one line.
var ortOptions = new EnvironmentCreationOptions { logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
OrtEnv.CreateInstanceWithOptions(ref ortOptions);
return CliApp.Run(args, Console.Out, Console.Error);

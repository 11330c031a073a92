using TorchSharp;
using static TorchSharp.torch;

namespace OnnxReg.Training.Tests.Augmentation;

/// <summary>A test class whose tests each run in their own dispose scope, so the tensors a test makes are freed
/// when it ends.</summary>
public abstract class TensorScopedTest
{
    private DisposeScope _scope = null!;

    [SetUp]
    public void OpenScope() => _scope = NewDisposeScope();

    [TearDown]
    public void CloseScope() => _scope.Dispose();
}

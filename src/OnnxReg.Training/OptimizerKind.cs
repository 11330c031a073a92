namespace OnnxReg.Training;

/// <summary>The optimizers the trainer offers.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma and Ba), PyTorch defaults for betas and epsilon.</summary>
    Adam,

    /// <summary>Stochastic gradient descent with (heavy-ball) momentum.</summary>
    Sgd,
}

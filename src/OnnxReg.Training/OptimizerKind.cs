namespace OnnxReg.Training;

/// <summary>The optimizers the trainer offers.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma and Ba), PyTorch defaults for betas and epsilon.</summary>
    Adam,

    /// <summary>Stochastic gradient descent with (heavy-ball) momentum.</summary>
    Sgd,

    /// <summary>
    /// AdamW (Loshchilov and Hutter): Adam with decoupled weight decay — each step shrinks the weights by
    /// lr·weight_decay directly, outside the adaptive gradient scaling. Under Adam an L2 penalty is divided by the
    /// running gradient scale and so regularizes weights with large gradients less; decoupled decay does not.
    /// </summary>
    AdamW,
}

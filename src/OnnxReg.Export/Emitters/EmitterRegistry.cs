using TorchSharp.Modules;

namespace OnnxReg.Export.Emitters;

/// <summary>Maps module types to their emitters. <see cref="CreateDefault"/> holds every built-in one; register more for custom modules.</summary>
public sealed class EmitterRegistry
{
    private readonly Dictionary<Type, IModuleEmitter> _emitters = [];

    /// <summary>A registry with every emitter OnnxReg ships.</summary>
    public static EmitterRegistry CreateDefault()
    {
        var registry = new EmitterRegistry();
        registry.Register(new SequentialEmitter());
        registry.Register(new ResidualBlockEmitter());
        registry.Register(new LinearEmitter());
        registry.Register(new Conv2dEmitter());
        registry.Register(new MaxPool2dEmitter());
        registry.Register(new AvgPool2dEmitter());
        registry.Register(new AdaptiveAvgPool2dEmitter());
        registry.Register(new FlattenEmitter());
        foreach (var activation in ActivationEmitter.SupportedTypes)
            registry.Register(new ActivationEmitter(activation));
        registry.Register(new BatchNormEmitter(typeof(BatchNorm1d)));
        registry.Register(new BatchNormEmitter(typeof(BatchNorm2d)));
        foreach (var identity in new[] { typeof(Dropout), typeof(Dropout2d), typeof(AlphaDropout), typeof(Identity) })
            registry.Register(new IdentityEmitter(identity));
        return registry;
    }

    /// <summary>Adds or replaces the emitter for its module type.</summary>
    public void Register(IModuleEmitter emitter)
    {
        ArgumentNullException.ThrowIfNull(emitter);
        _emitters[emitter.ModuleType] = emitter;
    }

    /// <summary>The emitter for <paramref name="moduleType"/>, or null.</summary>
    public IModuleEmitter? Find(Type moduleType) => _emitters.GetValueOrDefault(moduleType);

    /// <summary>The supported module type names, sorted (for error messages).</summary>
    public IEnumerable<string> SupportedTypeNames =>
        _emitters.Keys.Select(t => t.Name).Order(StringComparer.Ordinal);
}

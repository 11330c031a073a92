using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OnnxReg.Export.Emitters;

/// <summary>
/// Folds an inference-mode BatchNorm into the Conv2d or Linear before it: with s = γ / √(var + ε),
/// W' = W · s (per output channel) and b' = (b − mean) · s + β — the same algebra as PyTorch's exporter's
/// Conv–BN fusion, so the folded layer computes what the pair computed.
/// </summary>
internal static class BatchNormFolding
{
    public static bool CanFold(nn.Module layer, nn.Module next) =>
        layer is Conv2d or Linear && next is BatchNorm { track_running_stats: true, running_mean: not null, running_var: not null } norm
        && norm.num_features == (layer is Conv2d c ? c.out_channels : ((Linear)layer).out_features);

    public static nn.Module<Tensor, Tensor> Fold(nn.Module layer, BatchNorm norm)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var scale = (norm.weight is { } gamma ? gamma.detach() : ones(norm.num_features)).div(norm.running_var!.add(norm.eps).sqrt());
        var shift = norm.bias is { } beta ? beta.detach() : zeros(norm.num_features);
        switch (layer)
        {
            case Conv2d conv:
            {
                var folded = conv.padding_type is Padding padding
                    ? nn.Conv2d(conv.in_channels, conv.out_channels, (conv.kernel_size[0], conv.kernel_size[1]), padding,
                        (conv.stride[0], conv.stride[1]), (conv.dilation[0], conv.dilation[1]), conv.padding_mode, conv.groups, bias: true)
                    : nn.Conv2d(conv.in_channels, conv.out_channels, (conv.kernel_size[0], conv.kernel_size[1]), (conv.stride[0], conv.stride[1]),
                        (conv.padding![0], conv.padding[1]), (conv.dilation[0], conv.dilation[1]), conv.padding_mode, conv.groups, bias: true);
                var bias = conv.bias is { } b ? b.detach() : zeros(conv.out_channels);
                folded.weight!.copy_(conv.weight!.detach().mul(scale.view(-1, 1, 1, 1)));
                folded.bias!.copy_(bias.sub(norm.running_mean!).mul(scale).add(shift));
                return folded;
            }
            case Linear linear:
            {
                var folded = nn.Linear(linear.in_features, linear.out_features, hasBias: true);
                var bias = linear.bias is { } b ? b.detach() : zeros(linear.out_features);
                folded.weight!.copy_(linear.weight!.detach().mul(scale.view(-1, 1)));
                folded.bias!.copy_(bias.sub(norm.running_mean!).mul(scale).add(shift));
                return folded;
            }
            default:
                throw new ArgumentException($"Only Conv2d and Linear layers can absorb a BatchNorm; received {layer.GetType().Name}.", nameof(layer));
        }
    }
}

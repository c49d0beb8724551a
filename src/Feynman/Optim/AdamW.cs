using Feynman.Tensors;

namespace Feynman.Optim;

/// <summary>
/// AdamW exactly as torch.optim.AdamW: decoupled weight decay, p ·= 1 − lr·wd before the Adam update
/// (Loshchilov and Hutter 2019). Default weight decay 0.01, as in PyTorch.
/// </summary>
public sealed class AdamW : Adam
{
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false)
        : base(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    public AdamW(IEnumerable<ParamGroup> paramGroups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false)
        : base(paramGroups, lr, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    protected override bool DecoupledWeightDecay => true;
}

using Feynman.Autograd;
using Feynman.Tensors;

namespace Feynman.Nn;

/// <summary>
/// What BatchNorm1d and BatchNorm2d share (PyTorch's _BatchNorm): a per-channel weight (ones) and bias
/// (zeros), and the buffers running_mean (zeros), running_var (ones) and num_batches_tracked (0).
/// Training normalises with the batch statistics and updates the running ones
/// (new = (1 − momentum)·old + momentum·batch, with the unbiased batch variance; a null momentum gives
/// the cumulative average); evaluation normalises with the running statistics.
/// </summary>
public abstract class BatchNormBase : Module
{
    protected BatchNormBase(int numFeatures, double eps, double? momentum, bool affine, bool trackRunningStats)
    {
        if (numFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(numFeatures), $"{GetType().Name} needs num_features ≥ 1, got {numFeatures}.");
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), $"{GetType().Name}: eps must be positive, got {eps}.");
        if (momentum is { } m && !(m >= 0 && m <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), $"{GetType().Name}: momentum must be in [0, 1], got {m}.");
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        Affine = affine;
        TrackRunningStats = trackRunningStats;
        Weight = RegisterParameterOrNull("weight", affine ? TensorScope.Outside(() => Tensor.Ones(numFeatures)) : null);
        Bias = RegisterParameterOrNull("bias", affine ? TensorScope.Outside(() => Tensor.Zeros(numFeatures)) : null);
        RunningMean = RegisterBuffer("running_mean", trackRunningStats ? TensorScope.Outside(() => Tensor.Zeros(numFeatures)) : null);
        RunningVar = RegisterBuffer("running_var", trackRunningStats ? TensorScope.Outside(() => Tensor.Ones(numFeatures)) : null);
        // PyTorch keeps an int64 scalar; ours is a float32 scalar, and safetensors loading converts.
        NumBatchesTracked = RegisterBuffer("num_batches_tracked", trackRunningStats ? TensorScope.Outside(() => Tensor.Scalar(0f)) : null);
    }

    public int NumFeatures { get; }

    public double Eps { get; }

    /// <summary>Weight of the newest batch in the running statistics; null for a cumulative average.</summary>
    public double? Momentum { get; }

    public bool Affine { get; }

    public bool TrackRunningStats { get; }

    /// <summary>[num_features] scale (γ), or null without affine.</summary>
    public Tensor? Weight { get; }

    /// <summary>[num_features] shift (β), or null without affine.</summary>
    public Tensor? Bias { get; }

    public Tensor? RunningMean { get; }

    public Tensor? RunningVar { get; }

    /// <summary>Scalar count of training batches seen.</summary>
    public Tensor? NumBatchesTracked { get; }

    /// <summary>Throws unless <paramref name="x"/> has a rank this layer accepts.</summary>
    protected abstract void CheckInput(Tensor x);

    public override Tensor Forward(Tensor x)
    {
        CheckInput(x);
        if (x.Shape[1] != NumFeatures)
            throw new ArgumentException($"{GetType().Name}({NumFeatures}): input {x.ShapeString} has {x.Shape[1]} channels in dimension 1, expected {NumFeatures}.");
        double factor = Momentum ?? 0;
        if (IsTraining && NumBatchesTracked is not null)
        {
            var count = NumBatchesTracked.Span;
            count[0] += 1;
            if (Momentum is null) factor = 1.0 / count[0];
        }
        // Batch statistics in training, or whenever there are no running statistics to use.
        bool useBatchStats = IsTraining || RunningMean is null;
        bool passRunning = !IsTraining || TrackRunningStats;
        return Ops.BatchNorm(x, passRunning ? RunningMean : null, passRunning ? RunningVar : null, Weight, Bias,
                             useBatchStats, (float)factor, (float)Eps);
    }

    protected override string ExtraRepr() =>
        $"{NumFeatures}, eps={Py(Eps)}, momentum={(Momentum is { } m ? Py(m) : "None")}, affine={Py(Affine)}, track_running_stats={Py(TrackRunningStats)}";
}

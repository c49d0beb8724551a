namespace Feynman.Bench.Models;

/// <summary>
/// conv(1→32,3x3,pad1)-ReLU-maxpool2-conv(32→64,3x3,pad1)-ReLU-maxpool2-flatten-linear(3136→128)-ReLU-linear(128→10).
/// Waits for convolution and pooling ops: implement Setup/Step with them (as <see cref="MlpModel"/> does with Linear).
/// </summary>
public sealed class CnnModel : BenchModel
{
    public override string Name => "cnn";

    public override bool IsInference => false;

    public override void Setup(int batch, int seed) =>
        throw new NotSupportedException("cnn needs Ops.Conv2d and Ops.MaxPool2d (and Ops.CrossEntropy, Optim.Sgd), which are not in this tree yet; implement bench/Feynman.Bench/Models/CnnModel.cs once they are.");
}

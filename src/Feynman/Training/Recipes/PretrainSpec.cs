namespace Feynman.Training.Recipes;

/// <summary>
/// Self-supervised pre-training of the first <see cref="TrunkLayers"/> layers of a model on the unlabelled
/// training images (<see cref="Epochs"/> epochs, Adam at <see cref="LearningRate"/>), by <see cref="Objective"/>:
/// <c>denoising</c> (an autoencoder on images with Gaussian noise of std <see cref="Noise"/>) or <c>contrastive</c>
/// (SimCLR's NT-Xent at <see cref="Temperature"/> over two views made by resized crops of scale
/// [<see cref="CropScale"/>, 1] and flips, through a projection head of <see cref="Projection"/> outputs).
/// <see cref="Images"/> (0: all) caps how many training images it sees. With <see cref="Weights"/> (a trunk's
/// safetensors, e.g. a pretrain run's) nothing is pre-trained: that trunk is loaded instead. In a <c>pretrain</c> recipe,
/// <see cref="Labels"/> labelled samples then train the classifier from scratch, fine-tuned from the trunk,
/// and as a linear probe on the frozen trunk.
/// </summary>
public sealed record PretrainSpec(int TrunkLayers, double Noise = 0.3, int Epochs = 5, double LearningRate = 1e-3, int Labels = 1000, int BatchSize = 128,
                                  string Objective = PretrainSpec.Denoising, double Temperature = 0.5, double CropScale = 0.3, int Projection = 64, int Images = 0,
                                  string? Weights = null)
{
    public const string Denoising = "denoising";
    public const string Contrastive = "contrastive";

    public static readonly string[] Objectives = [Denoising, Contrastive];
}

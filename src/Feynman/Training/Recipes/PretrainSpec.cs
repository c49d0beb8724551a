namespace Feynman.Training.Recipes;

/// <summary>
/// Denoising-autoencoder pre-training of the first <see cref="TrunkLayers"/> layers of a model on the
/// unlabelled training images (<see cref="Epochs"/> epochs, Gaussian noise of std <see cref="Noise"/>,
/// Adam at <see cref="LearningRate"/>). In a <c>pretrain</c> recipe, <see cref="Labels"/> labelled samples
/// then train the classifier from scratch, fine-tuned from the trunk, and as a linear probe on the frozen trunk.
/// </summary>
public sealed record PretrainSpec(int TrunkLayers, double Noise = 0.3, int Epochs = 5, double LearningRate = 1e-3, int Labels = 1000, int BatchSize = 128);

namespace Feynman.Data;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul, Vollgraf 2017): 28x28 grey images of 10 kinds of clothing,
/// 60,000 for training and 10,000 for testing, as IDX files (Debian package <c>dataset-fashion-mnist</c>).
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The class names, indexed by label (as in torchvision's FashionMNIST.classes).</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// Loads the training or test set from <paramref name="directory"/> (default <see cref="DefaultDirectory"/>),
    /// in the order of the IDX files, as pixels/255 of shape [N, 1, 28, 28].
    /// </summary>
    public static ImageDataset Load(bool train, string? directory = null)
    {
        directory ??= DefaultDirectory;
        string prefix = train ? "train" : "t10k";
        string imagesPath = FindFile(directory, $"{prefix}-images-idx3-ubyte");
        string labelsPath = FindFile(directory, $"{prefix}-labels-idx1-ubyte");
        var (pixels, count, rows, cols) = IdxReader.ReadImages(imagesPath);
        var labels = IdxReader.ReadLabels(labelsPath);
        if (labels.Length != count)
            throw new InvalidDataException($"Fashion-MNIST {prefix} set: {imagesPath} holds {count} images but {labelsPath} holds {labels.Length} labels.");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= ClassNames.Count)
                throw new InvalidDataException($"Fashion-MNIST label file {labelsPath}: sample {i} has label {labels[i]}, but there are only {ClassNames.Count} classes (0..{ClassNames.Count - 1}).");
        return ImageDataset.FromBytes($"fashion-mnist:{(train ? "train" : "test")}", pixels, labels, [1, rows, cols], ClassNames);
    }

    // Accept the gzip files Debian ships and the raw files some downloads unpack to.
    private static string FindFile(string directory, string baseName)
    {
        foreach (var candidate in new[] { baseName + ".gz", baseName })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        string hint = Path.GetFullPath(directory) == Path.GetFullPath(DefaultDirectory)
            ? "install the Debian package dataset-fashion-mnist (sudo apt-get install dataset-fashion-mnist) or point --data-dir at a folder that holds the Fashion-MNIST IDX files"
            : $"point --data-dir at a folder that holds the Fashion-MNIST IDX files (Debian's dataset-fashion-mnist installs them in {DefaultDirectory})";
        throw new FileNotFoundException($"Fashion-MNIST file {Path.Combine(directory, baseName + ".gz")} is missing (nor is there an uncompressed {baseName}): {hint}.", Path.Combine(directory, baseName + ".gz"));
    }
}

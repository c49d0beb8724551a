using Feynman.Data;

namespace Feynman.Tests.Data;

public class IdxReaderTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ReadsGzipAndRawFilesInFileOrder(bool gzip)
    {
        var dir = IdxFiles.TempDirectory();
        IdxFiles.WriteSet(dir, "train", count: 5, rows: 3, cols: 4, gzip);
        var ds = FashionMnist.Load(train: true, dir);
        Assert.Equal(5, ds.Count);
        Assert.Equal([1, 3, 4], ds.SampleShape);
        Assert.Equal([0, 1, 2, 3, 4], Enumerable.Range(0, 5).Select(ds.GetLabel));
        var sample = new float[12];
        ds.CopyInput(2, sample);
        // image 2, pixel p = (2 * 7 + p) / 255
        for (int p = 0; p < 12; p++) Assert.Equal((14 + p) / 255f, sample[p], 6);
        Assert.Equal("fashion-mnist:train", ds.Name);
    }

    [Fact]
    public void MissingFileNamesTheFileAndThePackage()
    {
        var dir = IdxFiles.TempDirectory();
        var ex = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(train: false, dir));
        Assert.Contains(Path.Combine(dir, "t10k-images-idx3-ubyte.gz"), ex.Message);
        Assert.Contains("--data-dir", ex.Message);
        Assert.Contains("dataset-fashion-mnist", ex.Message);
    }

    [Fact]
    public void BadMagicNamesTheFileAndBothNumbers()
    {
        var dir = IdxFiles.TempDirectory();
        var path = Path.Combine(dir, "x.gz");
        IdxFiles.Write(path, IdxFiles.Bytes(0x0803, [2, 2, 2], new byte[8]), gzip: true);
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("0x00000803", ex.Message);
        Assert.Contains("0x00000801", ex.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TruncatedDataSaysHowMuchIsMissing(bool gzip)
    {
        var dir = IdxFiles.TempDirectory();
        var path = Path.Combine(dir, "images");
        IdxFiles.Write(path, IdxFiles.Bytes(0x0803, [3, 2, 2], new byte[10]), gzip);
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("truncated", ex.Message);
        Assert.Contains("12", ex.Message);
        Assert.Contains("only 10", ex.Message);
    }

    [Fact]
    public void TruncatedHeaderAndCorruptGzipNameTheFile()
    {
        var dir = IdxFiles.TempDirectory();
        var shortHeader = Path.Combine(dir, "short");
        File.WriteAllBytes(shortHeader, [0, 0, 8, 3, 0, 0]);
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(shortHeader));
        Assert.Contains(shortHeader, ex.Message);
        Assert.Contains("header", ex.Message);

        var corrupt = Path.Combine(dir, "corrupt.gz");
        File.WriteAllBytes(corrupt, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(corrupt));
        Assert.Contains(corrupt, ex.Message);
    }

    [Fact]
    public void LabelImageCountMismatchNamesBothFiles()
    {
        var dir = IdxFiles.TempDirectory();
        IdxFiles.WriteSet(dir, "t10k", count: 4, rows: 2, cols: 2, gzip: true, labelCount: 3);
        var ex = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(train: false, dir));
        Assert.Contains("t10k-images-idx3-ubyte.gz", ex.Message);
        Assert.Contains("t10k-labels-idx1-ubyte.gz", ex.Message);
        Assert.Contains("4 images", ex.Message);
        Assert.Contains("3 labels", ex.Message);
    }

    [Fact]
    public void UnknownSourceListsTheKnownOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => DataSources.Open("fashion-mnist:validation"));
        Assert.Contains("fashion-mnist:validation", ex.Message);
        Assert.Contains("fashion-mnist:train", ex.Message);
        Assert.Contains("fashion-mnist:test", ex.Message);
    }

    [Fact]
    public void RealFashionMnistLoadsWithTheKnownCountsAndLabels()
    {
        var train = DataSources.Open("fashion-mnist:train");
        var test = DataSources.Open("fashion-mnist:test");
        Assert.Same(train, DataSources.Open("fashion-mnist:train"));
        Assert.Equal(60000, train.Count);
        Assert.Equal(10000, test.Count);
        Assert.Equal([1, 28, 28], train.SampleShape);
        Assert.Equal(784, test.SampleSize);
        Assert.Equal(10, train.ClassNames.Count);
        Assert.Equal("Ankle boot", train.ClassNames[9]);
        // The first labels of each file, as torchvision's FashionMNIST reads them.
        Assert.Equal([9, 0, 0, 3, 0, 2, 7, 2, 5, 5], Enumerable.Range(0, 10).Select(train.GetLabel));
        Assert.Equal([9, 2, 1, 1, 6, 1, 4, 6, 5, 7], Enumerable.Range(0, 10).Select(test.GetLabel));
        var pixels = ((ImageDataset)train).Inputs;
        Assert.Equal(60000 * 784, pixels.Length);
        Assert.Equal(0f, System.Numerics.Tensors.TensorPrimitives.Min(pixels));
        Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Max(pixels));
        // Every value is a multiple of 1/255.
        for (int i = 0; i < 784 * 10; i++) Assert.Equal(MathF.Round(pixels[i] * 255f), pixels[i] * 255f, 3);
        var counts = new int[10];
        for (int i = 0; i < test.Count; i++) counts[test.GetLabel(i)]++;
        Assert.All(counts, c => Assert.Equal(1000, c));
    }
}

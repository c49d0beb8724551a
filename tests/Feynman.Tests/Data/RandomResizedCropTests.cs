using Feynman.Data;
using Feynman.Tensors;

namespace Feynman.Tests.Data;

public class RandomResizedCropTests
{
    [Fact]
    public void AConstantImageStaysConstant()
    {
        var crop = new RandomResizedCrop(0.2);
        var rng = new Generator(1);
        var image = Enumerable.Repeat(0.7f, 2 * 10 * 10).ToArray();
        for (int t = 0; t < 20; t++)
        {
            crop.Apply(image, [2, 10, 10], rng);
            Assert.All(image, v => Assert.Equal(0.7f, v, 5));
        }
    }

    [Fact]
    public void ARampIsZoomedIntoAMonotoneSubRangeOfItself()
    {
        // value = column / 15: a crop resized back keeps each row non-decreasing and inside [0, 1],
        // and a crop smaller than the image stretches a narrower range of values over the row.
        var crop = new RandomResizedCrop(0.1, 0.5);
        var rng = new Generator(2);
        int changed = 0;
        for (int t = 0; t < 20; t++)
        {
            var image = new float[16 * 16];
            for (int y = 0; y < 16; y++)
                for (int x = 0; x < 16; x++) image[y * 16 + x] = x / 15f;
            crop.Apply(image, [1, 16, 16], rng);
            for (int y = 0; y < 16; y++)
            {
                var row = image.AsSpan(y * 16, 16);
                for (int x = 1; x < 16; x++) Assert.True(row[x] >= row[x - 1] - 1e-6f, $"row {y} decreases at {x}");
                Assert.True(row[0] >= -1e-6f && row[15] <= 1 + 1e-6f);
            }
            if (image[15] - image[0] < 0.9f) changed++;
        }
        Assert.Equal(20, changed);
    }

    [Fact]
    public void ScalesOutsideZeroToOneAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomResizedCrop(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomResizedCrop(0.5, 0.4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomResizedCrop(0.5, 1.5));
    }
}

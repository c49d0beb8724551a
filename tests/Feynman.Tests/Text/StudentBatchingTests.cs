using Feynman.Text.Models;

namespace Feynman.Tests.Text;

public sealed class StudentBatchingTests
{
    [Fact]
    public void LengthBucketedBatchesCoverEveryExampleOnceAndPadLittle()
    {
        var rng = new Feynman.Tensors.Generator(4);
        var lengths = Enumerable.Range(0, 1000).Select(_ => 1 + rng.NextInt(200)).ToArray();
        var batches = StudentTraining.Batches(Enumerable.Range(0, 1000).ToArray(), 16, lengths, new Feynman.Tensors.Generator(9));
        Assert.Equal(Enumerable.Range(0, 1000), batches.SelectMany(b => b).Order());
        long padded = batches.Sum(b => (long)b.Length * b.Max(i => lengths[i]));
        var plain = StudentTraining.Batches(Enumerable.Range(0, 1000).ToArray(), 16, null, new Feynman.Tensors.Generator(9));
        long plainPadded = plain.Sum(b => (long)b.Length * b.Max(i => lengths[i]));
        Assert.True(padded < 0.7 * plainPadded, $"{padded} padded tokens against {plainPadded} without buckets");
        Assert.Equal(batches.Select(b => b.ToArray()), StudentTraining.Batches(Enumerable.Range(0, 1000).ToArray(), 16, lengths, new Feynman.Tensors.Generator(9)));
    }
}

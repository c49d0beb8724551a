using System.Globalization;
using Feynman.Cli;
using Feynman.Data;
using Feynman.Serialization;

namespace Feynman.Tests.Experiments;

[Collection(Feynman.Tests.Support.ConsoleCollection.Name)]
public class EvalCommandTests
{
    private static readonly object ConsoleLock = new();

    // The recipe form of reference/make_model_fixtures.py's cnn_bn, whose weights PyTorch saved.
    private const string CnnBnYaml = """
        input: [1, 28, 28]
        layers:
          - conv2d: {out: 4, kernel: 3, padding: 1, bias: false}
          - batchnorm2d
          - relu
          - maxpool2d: 2
          - conv2d: {out: 8, kernel: 3, padding: 1, bias: false}
          - batchnorm2d
          - relu
          - dropout: 0.0
          - avgpool2d: 2
          - flatten
          - linear: {out: 16, bias: false}
          - batchnorm1d
          - tanh
          - dropout: 0.0
          - linear: 10
        """;

    private static (int Exit, string Output) Cli(params string[] args)
    {
        lock (ConsoleLock)
        {
            var saved = Console.Out;
            var buffer = new StringWriter();
            Console.SetOut(TextWriter.Synchronized(buffer));
            try
            {
                int exit = FeynmanCommand.Build().Parse(args).Invoke();
                return (exit, buffer.ToString());
            }
            finally
            {
                Console.SetOut(saved);
            }
        }
    }

    [Fact]
    public void EvalLoadsWeightsSavedByPyTorch()
    {
        var fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures", "exchange");
        var io = Safetensors.Load(Path.Combine(fixtures, "cnn_bn_io.safetensors"));
        var x = io["x"].ToArray();
        var torchOut = io["out"].ToArray();
        int n = io["x"].Shape[0];
        // Label each input with PyTorch's prediction: loading the weights right must give accuracy 1
        // and PyTorch's own cross-entropy.
        var labels = new int[n];
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            var row = torchOut.AsSpan(i * 10, 10);
            labels[i] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(row);
            double max = row[labels[i]], sum = 0;
            foreach (var v in row) sum += Math.Exp(v - max);
            loss += Math.Log(sum);
        }
        loss /= n;
        DataSources.Register("exchange:cnn_bn", _ => new ImageDataset("exchange:cnn_bn", x, labels, [1, 28, 28], Enumerable.Range(0, 10).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray()));
        var yaml = Path.Combine(Path.GetTempPath(), $"cnn_bn-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(yaml, CnnBnYaml);
        try
        {
            var (exit, output) = Cli("eval", "--model", yaml, "--weights", Path.Combine(fixtures, "cnn_bn.safetensors"), "--data", "exchange:cnn_bn");
            Assert.True(exit == 0, output);
            Assert.Contains("accuracy: 1.0000", output);
            var lossLine = output.Split('\n').Single(l => l.StartsWith("loss: ", StringComparison.Ordinal));
            Assert.Equal(loss, double.Parse(lossLine[6..], CultureInfo.InvariantCulture), 3);
        }
        finally
        {
            File.Delete(yaml);
        }
    }

    [Fact]
    public void EvalNamesAMissingWeightsFile()
    {
        var yaml = Path.Combine(Path.GetTempPath(), $"m-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(yaml, "input: [1, 28, 28]\nlayers: [flatten, {linear: 10}]\n");
        try
        {
            var (exit, _) = Cli("eval", "--model", yaml, "--weights", "/nonexistent/w.safetensors");
            Assert.NotEqual(0, exit);
        }
        finally
        {
            File.Delete(yaml);
        }
    }
}

using Feynman.Autograd;
using Feynman.Nn;
using Feynman.Optim;
using Feynman.Tensors;

namespace Feynman.Text.Models;

/// <summary>The mini-batch loop both text students share (see <see cref="StudentTrainingOptions"/> for the loss).</summary>
internal static class StudentTraining
{
    /// <summary>
    /// Trains <paramref name="model"/>; <paramref name="forward"/> maps a batch of training-example indices to
    /// logits [batch, classes]. With <paramref name="lengths"/> (a sequence model's token counts), each epoch's
    /// shuffled order is cut into windows of 50 batches sorted by length, and the batches shuffled again, so a
    /// batch pads little. Returns the mean loss of the last epoch.
    /// </summary>
    public static double Run(
        string name, Module model, IReadOnlyList<TextExample> train, IReadOnlyList<float[]?>? softTargets, int classes,
        StudentTrainingOptions o, int seed, Func<int[], Tensor> forward, IProgress<string>? progress, CancellationToken ct,
        int[]? lengths = null)
    {
        o.Validate();
        if (train.Count == 0) throw new ArgumentException($"{name}: no training examples.", nameof(train));
        if (softTargets is not null && softTargets.Count != train.Count)
            throw new ArgumentException($"{name}: {softTargets.Count} soft-target rows for {train.Count} training examples.", nameof(softTargets));
        var labels = new int[train.Count];
        float[][]? targets = softTargets is null ? null : new float[train.Count][];
        for (int i = 0; i < train.Count; i++)
        {
            var soft = softTargets?[i];
            if (soft is not null && soft.Length != classes)
                throw new ArgumentException($"{name}: the soft target of example {train[i].Id} has {soft.Length} values for {classes} labels.", nameof(softTargets));
            int label = train[i].Label;
            if (label == TextExample.Unlabelled && soft is not null) label = ArgMax(soft); // a teacher-labelled example
            if ((uint)label >= (uint)classes)
                throw new ArgumentException($"{name}: example {train[i].Id} has label {train[i].Label} and no soft target; labels must be in [0, {classes}).", nameof(train));
            labels[i] = label;
            if (targets is not null) targets[i] = soft is null ? OneHot(label, classes) : AtTemperature(soft, (float)o.Temperature);
        }

        model.Train();
        var optimizer = new AdamW(model.Parameters(), o.LearningRate, weightDecay: o.WeightDecay);
        var rng = new Generator((ulong)seed * 2654435761UL + 17);
        var order = new int[train.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        int steps = (train.Count + o.BatchSize - 1) / o.BatchSize, total = steps * o.Epochs, step = 0;
        float t = (float)o.Temperature, alpha = (float)o.Alpha;
        double lastLoss = double.NaN;
        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            var batches = Batches(order, o.BatchSize, lengths, rng);
            double sum = 0;
            for (int s = 0; s < steps; s++, step++)
            {
                ct.ThrowIfCancellationRequested();
                var batch = batches[s];
                optimizer.LearningRate = o.LearningRate * Math.Max(0.0, 1.0 - (double)step / total);
                using (TensorScope.Begin())
                {
                    var logits = forward(batch);
                    var hard = batch.Select(i => labels[i]).ToArray();
                    Tensor loss;
                    if (targets is null) loss = Ops.CrossEntropy(logits, hard);
                    else
                    {
                        var q = new float[batch.Length * classes];
                        for (int b = 0; b < batch.Length; b++) targets[batch[b]].CopyTo(q, b * classes);
                        var soft = Ops.Mul(Ops.CrossEntropy(Ops.Div(logits, t), Tensor.FromArray(q, batch.Length, classes)), t * t);
                        loss = alpha > 0 ? Ops.Add(Ops.Mul(Ops.CrossEntropy(logits, hard), alpha), Ops.Mul(soft, 1 - alpha)) : soft;
                    }
                    float value = loss.Item();
                    if (!float.IsFinite(value)) throw new InvalidOperationException($"{name}: the loss became {value} at epoch {epoch}, step {s + 1}; lower the learning rate.");
                    sum += value * batch.Length;
                    loss.Backward();
                    if (o.ClipGradNorm > 0) GradientClipping.ClipGradNorm(optimizer.Parameters, o.ClipGradNorm);
                    optimizer.Step();
                    optimizer.ZeroGrad();
                }
            }
            lastLoss = sum / train.Count;
            progress?.Report($"{name}: epoch {epoch}/{o.Epochs}, loss {lastLoss:F4}");
        }
        model.Eval();
        return lastLoss;
    }

    internal static int[][] Batches(int[] order, int batchSize, int[]? lengths, Generator rng)
    {
        rng.Shuffle(order.AsSpan());
        if (lengths is not null)
        {
            int window = batchSize * 50;
            for (int start = 0; start < order.Length; start += window)
            {
                var slice = order.AsSpan(start, Math.Min(window, order.Length - start));
                var keys = new long[slice.Length];
                for (int i = 0; i < keys.Length; i++) keys[i] = (long)lengths[slice[i]] * order.Length + slice[i]; // by length, ties by index
                keys.AsSpan().Sort(slice);
            }
        }
        var batches = new int[(order.Length + batchSize - 1) / batchSize][];
        for (int b = 0; b < batches.Length; b++) batches[b] = order.AsSpan(b * batchSize, Math.Min(batchSize, order.Length - b * batchSize)).ToArray();
        if (lengths is not null) rng.Shuffle(batches.AsSpan());
        return batches;
    }

    internal static int ArgMax(ReadOnlySpan<float> values) => TensorPrimitives.IndexOfMax(values);

    private static float[] OneHot(int label, int classes)
    {
        var row = new float[classes];
        row[label] = 1;
        return row;
    }

    /// <summary>q^(1/T), normalised: the distribution softmax(z/T) for q = softmax(z).</summary>
    internal static float[] AtTemperature(float[] q, float temperature)
    {
        var row = new float[q.Length];
        double total = 0;
        for (int c = 0; c < q.Length; c++)
        {
            if (!(q[c] >= 0)) throw new ArgumentException($"soft target {string.Join(", ", q)} has a negative or NaN value.");
            row[c] = temperature == 1 ? q[c] : MathF.Pow(q[c], 1 / temperature);
            total += row[c];
        }
        if (!(total > 0)) throw new ArgumentException($"soft target {string.Join(", ", q)} sums to zero.");
        for (int c = 0; c < row.Length; c++) row[c] = (float)(row[c] / total);
        return row;
    }
}

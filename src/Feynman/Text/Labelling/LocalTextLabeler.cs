using Feynman.Text.Teaching;

namespace Feynman.Text.Labelling;

/// <summary>
/// A local model as the labelling teacher (no endpoint, no cost): the probabilities of any
/// <see cref="ITextClassifier"/>, e.g. the large text model trained on labels. Its label names must be the label set
/// asked for (same names, any order; probabilities are reordered to the asked order).
/// </summary>
public sealed class LocalTextLabeler(ITextClassifier model, string name = "local", float minConfidence = 0f) : ITextLabeler
{
    public ITextClassifier Model { get; } = model;
    public string Name { get; } = name;

    /// <summary>Answers whose top probability is below this are recorded as rejected (0: never).</summary>
    public float MinConfidence { get; } = minConfidence;

    public Task<IReadOnlyList<TeacherLabel>> LabelAsync(IReadOnlyList<string> texts, IReadOnlyList<string> labelNames, CancellationToken cancellationToken = default)
    {
        var own = Model.LabelNames;
        var map = new int[labelNames.Count];
        for (int i = 0; i < labelNames.Count; i++)
        {
            map[i] = IndexOf(own, labelNames[i]);
            if (map[i] < 0)
                throw new ArgumentException($"local labeller '{Name}' knows the labels [{string.Join(", ", own)}], not '{labelNames[i]}'.", nameof(labelNames));
        }
        var results = new TeacherLabel[texts.Count];
        var buffer = new float[own.Count];
        for (int t = 0; t < texts.Count; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Model.PredictProbabilities(texts[t], buffer);
            var probs = new float[labelNames.Count];
            float sum = 0;
            for (int i = 0; i < probs.Length; i++) sum += probs[i] = buffer[map[i]];
            if (sum > 0) for (int i = 0; i < probs.Length; i++) probs[i] /= sum;
            int best = 0;
            for (int i = 1; i < probs.Length; i++) if (probs[i] > probs[best]) best = i;
            results[t] = sum <= 0 || float.IsNaN(sum) ? new TeacherLabel(-1, null, "the local model gave no probability to any label", 0, 0)
                : probs[best] < MinConfidence ? new TeacherLabel(-1, probs, $"confidence {probs[best]:F3} is below {MinConfidence:F3}", 0, 0)
                : new TeacherLabel(best, probs, null, 0, 0);
        }
        return Task.FromResult<IReadOnlyList<TeacherLabel>>(results);
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++) if (string.Equals(names[i], name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }
}

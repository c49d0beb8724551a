using Feynman.Synthesis.Teachers;
using Feynman.Text.Labelling;

namespace Feynman.Text.Teaching;

/// <summary>
/// Learning by teaching, closed: round r trains a fresh student on the teacher-labelled data so far, evaluates it on a
/// labelled development set, and shows its failures (misclassified and least confident) to the writer, which proposes
/// new examples of those kinds; proposals are filtered (label validity, exact duplicates of anything seen, novelty
/// against everything kept, and the labelling teacher's agreement with the intended label above a confidence
/// threshold) and the survivors join the data. Stops at the target accuracy, the round limit or the budget. State is
/// saved after every round, so an interrupted run resumes at the round it was in and ends as an uninterrupted one.
/// </summary>
public sealed class TeachingLoop(ITextStudentTrainer trainer, ITextLabeler labeler, IExampleWriter writer, TeachingOptions options)
{
    public const string StopTarget = "target accuracy";
    public const string StopRounds = "round limit";
    public const string StopBudget = "budget";

    public const string RejectInvalidLabel = "invalid label";
    public const string RejectEmpty = "empty text";
    public const string RejectDuplicate = "duplicate";
    public const string RejectNotNovel = "not novel";
    public const string RejectTeacherNoLabel = "teacher gave no label";
    public const string RejectTeacherDisagrees = "teacher disagrees";
    public const string RejectTeacherUnsure = "teacher unsure";

    public ITextStudentTrainer Trainer { get; } = trainer;
    public ITextLabeler Labeler { get; } = labeler;
    public IExampleWriter Writer { get; } = writer;
    public TeachingOptions Options { get; } = options;

    /// <summary>The budget the teachers spend from; once it is exhausted the loop stops, saved, with reason "budget".</summary>
    public Budget? Budget { get; init; }

    public Action<string>? Log { get; init; }
    public IProgress<string>? TrainingProgress { get; init; }

    /// <summary>Called after each round is saved (for the run database and progress output).</summary>
    public Action<TeachingRound>? RoundFinished { get; init; }

    public async Task<TeachingOutcome> RunAsync(IReadOnlyList<TextExample> seed, IReadOnlyList<TextExample> dev, IReadOnlyList<string> labelNames,
        string stateDirectory, bool resume, CancellationToken cancellationToken = default)
    {
        Options.Validate();
        if (dev.Count == 0) throw new ArgumentException("the teaching loop needs a labelled development set; it is empty.", nameof(dev));
        foreach (var d in dev)
            if (d.Label < 0 || d.Label >= labelNames.Count)
                throw new ArgumentException($"development example '{d.Id}' has label {d.Label}, outside the {labelNames.Count} labels.", nameof(dev));
        var state = TeachingState.TryLoad(stateDirectory);
        if (state != null && !resume)
            throw new IOException($"{Path.Combine(stateDirectory, TeachingState.FileName)} already holds a teaching run; pass --resume to continue it or choose another output folder.");
        if (state != null && !state.LabelNames.SequenceEqual(labelNames))
            throw new InvalidDataException($"{stateDirectory}: the saved run has labels [{string.Join(", ", state.LabelNames)}], this one [{string.Join(", ", labelNames)}].");
        state ??= new TeachingState { LabelNames = [.. labelNames] };
        if (state.StopReason == StopBudget)
        {
            // Stopped by the budget: try that round again (perhaps with a larger budget); its teacher calls are cached.
            state.Rounds.RemoveAll(r => r.Round >= state.Round);
            state.StopReason = null;
        }

        var meters = new[] { Labeler as ITeacherMetered, Writer as ITeacherMetered }.Where(m => m != null).Select(m => m!.Meter).Distinct().ToArray();
        try
        {
            if (!state.SeedLabelled)
            {
                var seedBefore = Spend(meters);
                bool labelled = await LabelSeedAsync(seed, labelNames, state, cancellationToken).ConfigureAwait(false);
                var seedSpent = Spend(meters).Minus(seedBefore);
                (state.SeedTeacherTokens, state.SeedTeacherCost) = (seedSpent.Tokens, seedSpent.Cost);
                if (!labelled)
                {
                    state.StopReason = StopBudget;
                    state.Save(stateDirectory);
                    return new TeachingOutcome(state, null, false);
                }
                if (state.Examples.Count == 0)
                    throw new InvalidDataException($"none of the {seed.Count} seed texts received a label from {Labeler.Name}" +
                        (state.SeedRejected.Count > 0 ? $" (first reason: {state.SeedRejected.First().Value})" : "") + "; the student has nothing to learn from.");
                state.SeedLabelled = true;
                state.Save(stateDirectory);
            }

            var novelty = new TeachingNovelty(Options.Novelty, Options.NoveltyThreshold);
            foreach (var e in state.Examples) novelty.Add(e.Text);
            ITextClassifier? student = null;
            if (state.StopReason != null)
            {
                // A finished run: the last round's student again (same data and seed).
                student = Train(state, state.Rounds.Count > 0 ? state.Rounds[^1].Round : 0, labelNames, cancellationToken);
                return new TeachingOutcome(state, student, false);
            }
            while (state.StopReason == null)
            {
                int r = state.Round;
                var before = Spend(meters);
                student = Train(state, r, labelNames, cancellationToken);
                var (accuracy, failures) = Evaluate(student, dev, labelNames.Count);
                Log?.Invoke($"round {r}: {state.Examples.Count} examples, dev accuracy {accuracy:P2}, {failures.Count} failures shown to {Writer.Name}");
                var round = new TeachingRound { Round = r, TrainExamples = state.Examples.Count, DevAccuracy = accuracy, Failures = failures.Count };
                string? stop = accuracy >= Options.TargetAccuracy ? StopTarget : r + 1 >= Options.Rounds ? StopRounds : Budget?.Exhausted == true ? StopBudget : null;
                var added = new List<TeachingExample>();
                int proposed = 0;
                if (stop == null)
                {
                    try
                    {
                        (added, proposed) = await TeachAsync(r, failures, labelNames, state, novelty, round, cancellationToken).ConfigureAwait(false);
                    }
                    catch (BudgetExceededException ex)
                    {
                        Log?.Invoke($"round {r}: {ex.Message} Stopping; state saved.");
                        stop = StopBudget;
                    }
                }
                var spent = Spend(meters).Minus(before);
                round = round with
                {
                    Proposed = proposed, Kept = added.Count, Stop = stop, TeacherCalls = spent.Calls, TeacherTokens = spent.Tokens, TeacherCost = spent.Cost,
                    FreshTokens = spent.FreshTokens, FreshCost = spent.FreshCost,
                };
                state.Rounds.Add(round);
                if (stop == StopBudget) state.StopReason = stop; // the round is tried again on resume
                else
                {
                    state.Examples.AddRange(added);
                    foreach (var e in added) novelty.Add(e.Text);
                    state.Round = r + 1;
                    state.StopReason = stop;
                }
                state.Save(stateDirectory);
                RoundFinished?.Invoke(round);
            }
            return new TeachingOutcome(state, student, false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log?.Invoke($"interrupted in round {state.Round}; continue with --resume");
            return new TeachingOutcome(state, null, true);
        }
    }

    // Labels the seed texts (duplicates by hash kept once); false when the budget ran out first.
    private async Task<bool> LabelSeedAsync(IReadOnlyList<TextExample> seed, IReadOnlyList<string> labelNames, TeachingState state, CancellationToken ct)
    {
        var unique = new List<TextExample>();
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in seed)
        {
            if (!ids.Add(s.Id)) throw new ArgumentException($"seed example id '{s.Id}' occurs twice; ids must be unique.", nameof(seed));
            if (string.IsNullOrWhiteSpace(s.Text)) { state.SeedRejected[s.Id] = RejectEmpty; continue; }
            if (hashes.Add(TeachingExample.HashOf(s.Text))) unique.Add(s);
            else state.SeedRejected[s.Id] = RejectDuplicate;
        }
        Log?.Invoke($"labelling {unique.Count} seed texts with {Labeler.Name}");
        IReadOnlyList<TeacherLabel> labels;
        try { labels = await Labeler.LabelAsync(unique.Select(u => u.Text).ToList(), labelNames, ct).ConfigureAwait(false); }
        catch (BudgetExceededException ex)
        {
            Log?.Invoke($"seed labelling: {ex.Message} Stopping; state saved.");
            return false;
        }
        for (int i = 0; i < unique.Count; i++)
        {
            var l = labels[i];
            if (!l.IsValid) { state.SeedRejected[unique[i].Id] = l.Rejected ?? RejectTeacherNoLabel; continue; }
            string hash = TeachingExample.HashOf(unique[i].Text);
            state.Examples.Add(new TeachingExample(unique[i].Id, unique[i].Text, l.Label, l.Probabilities, "seed", 0, hash));
            state.Seen.Add(hash);
        }
        return true;
    }

    private async Task<(List<TeachingExample> Added, int Proposed)> TeachAsync(int r, IReadOnlyList<StudentFailure> failures, IReadOnlyList<string> labelNames,
        TeachingState state, TeachingNovelty novelty, TeachingRound round, CancellationToken ct)
    {
        var request = new ExampleRequest(labelNames, failures, Options.ExamplesPerRound, r, unchecked(Options.Seed * 1000 + r));
        var proposals = await Writer.WriteAsync(request, ct).ConfigureAwait(false);
        round.Rejected.Clear();
        void Reject(string reason) => round.Rejected[reason] = round.Rejected.GetValueOrDefault(reason) + 1;

        // Cheap filters first, so the teacher relabels only valid, new, novel texts.
        var batch = novelty.NewBatch();
        var batchHashes = new HashSet<string>(StringComparer.Ordinal);
        var candidates = new List<(TextExample Proposal, string Hash)>();
        foreach (var p in proposals)
        {
            if (string.IsNullOrWhiteSpace(p.Text)) { Reject(RejectEmpty); continue; }
            if (p.Label < 0 || p.Label >= labelNames.Count) { Reject(RejectInvalidLabel); continue; }
            string hash = TeachingExample.HashOf(p.Text);
            if (state.Seen.Contains(hash) || !batchHashes.Add(hash)) { Reject(RejectDuplicate); continue; }
            if (novelty.Similarity(p.Text) != null || batch.Similarity(p.Text) != null) { Reject(RejectNotNovel); continue; }
            batch.Add(p.Text);
            candidates.Add((p, hash));
        }
        var labels = candidates.Count == 0 ? []
            : await Labeler.LabelAsync(candidates.Select(c => c.Proposal.Text).ToList(), labelNames, ct).ConfigureAwait(false);
        var added = new List<TeachingExample>();
        for (int i = 0; i < candidates.Count; i++)
        {
            var (p, hash) = candidates[i];
            var l = labels[i];
            if (!l.IsValid) Reject(RejectTeacherNoLabel);
            else if (l.Label != p.Label) Reject(RejectTeacherDisagrees);
            else if ((l.Probabilities?[p.Label] ?? 1f) < Options.ConfidenceThreshold) Reject(RejectTeacherUnsure);
            else added.Add(new TeachingExample($"r{r + 1}-{hash}", p.Text, p.Label, l.Probabilities, Writer.Name, r + 1, hash));
        }
        // Every proposal that reached the filters is seen: proposed again later, it counts as a duplicate.
        foreach (var h in batchHashes) state.Seen.Add(h);
        Log?.Invoke($"round {r}: {proposals.Count} proposed, {added.Count} kept" +
                    (round.Rejected.Count > 0 ? $", rejected: {string.Join(", ", round.Rejected.Select(kv => $"{kv.Value} {kv.Key}"))}" : ""));
        return (added, proposals.Count);
    }

    private ITextClassifier Train(TeachingState state, int round, IReadOnlyList<string> labelNames, CancellationToken ct)
    {
        var data = state.Examples.Where(e => e.Round <= round).ToList();
        var soft = Options.SoftTargets ? data.Select(e => e.Probabilities).ToList() : null;
        return Trainer.Train(data.Select(e => e.ToTextExample()).ToList(), soft, labelNames, Options.Seed * 7919 + round, TrainingProgress, ct);
    }

    /// <summary>Development accuracy and the failures to show: misclassified (most confident first), then the least
    /// confident correct ones, at most <see cref="TeachingOptions.FailuresPerRound"/>.</summary>
    public (double Accuracy, IReadOnlyList<StudentFailure> Failures) Evaluate(ITextClassifier student, IReadOnlyList<TextExample> dev, int classes)
    {
        var probs = new float[classes];
        var wrong = new List<StudentFailure>();
        var right = new List<StudentFailure>();
        foreach (var d in dev)
        {
            student.PredictProbabilities(d.Text, probs);
            int best = 0;
            for (int i = 1; i < classes; i++) if (probs[i] > probs[best]) best = i;
            var f = new StudentFailure(d.Text, d.Label, best, probs[best]);
            (best == d.Label ? right : wrong).Add(f);
        }
        double accuracy = (double)right.Count / dev.Count;
        var failures = wrong.OrderByDescending(f => f.Confidence)
            .Concat(right.OrderBy(f => f.Confidence))
            .Take(Options.FailuresPerRound).ToList();
        return (accuracy, failures);
    }

    private static TeacherSpend Spend(TeacherMeter[] meters) => meters.Aggregate(TeacherSpend.Zero, (s, m) => s.Plus(m.Snapshot()));
}

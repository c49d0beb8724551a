using System.Text.Json;
using Feynman.Synthesis.Teachers;
using Feynman.Tests.Teaching.Support;
using Feynman.Text;
using Feynman.Text.Labelling;
using Feynman.Text.Teaching;

namespace Feynman.Tests.Teaching;

public sealed class TeachingLoopTests : IDisposable
{
    private static readonly string[] Labels = ["ham", "spam"];
    private const int Ham = 0, Spam = 1;
    private readonly string _dir = Directory.CreateTempSubdirectory("feynman-teach-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    internal static readonly TextExample[] Seed =
    [
        new("s1", "win a prize now", Ham), // seed labels are ignored: the teacher labels the seed texts
        new("s2", "meeting moved to friday", Ham),
        new("s3", "cheap money offer", Ham),
        new("s4", "lunch at noon tomorrow", Ham),
        new("s5", "Meeting moved to  Friday", Ham), // the same text as s2
        new("s6", "?? ??", Ham),                      // the teacher cannot decide
    ];

    internal static readonly TextExample[] Dev =
    [
        new("d1", "project report due friday", Ham), new("d2", "see you at lunch", Ham), new("d3", "the quarterly report", Ham),
        new("d4", "call me tomorrow", Ham), new("d5", "you win cash", Spam), new("d6", "free prize inside", Spam),
        new("d7", "claim your reward today", Spam), new("d8", "urgent money transfer", Spam),
        new("d9", "meeting friday lunch", Spam), // no student of this data gets it right, so the target is never reached
    ];

    internal static IReadOnlyList<TextExample> Script(ExampleRequest r) => r.Round switch
    {
        0 =>
        [
            new("p1", "claim your reward prize today", Spam),
            new("p2", "claim your reward prize today", Spam),        // duplicate in the batch
            new("p3", "CLAIM  your reward prize today", Spam),       // duplicate after normalisation
            new("p4", "claim your reward prize today please", Spam), // near-duplicate
            new("p5", "report attached", 7),                         // no such label
            new("p6", "   ", Ham),                                   // empty
            new("p7", "unsure about this money", Spam),              // teacher agrees at 0.6 < 0.7
            new("p8", "quarterly budget review", Spam),              // teacher says ham
            new("p9", "?? what", Ham),                               // teacher gives no label
            new("p10", "win a prize now", Spam),                     // a seed text
            new("p11", "team lunch on thursday", Ham),
        ],
        1 =>
        [
            new("q1", "claim your reward prize today", Spam),        // kept in round 0
            new("q2", "quarterly budget review", Spam),              // rejected in round 0: seen
            new("q3", "transfer money urgently now", Spam),
            new("q4", "notes from the design review", Ham),
        ],
        _ => [new($"z{r.Round}", $"round {r.Round} win money example", Spam)],
    };

    private static TeachingOptions Options(NoveltyMethod novelty = NoveltyMethod.RougeL, double target = 1.0) => new()
    {
        Rounds = 3, FailuresPerRound = 4, ExamplesPerRound = 11, Novelty = novelty, NoveltyThreshold = 0.7, ConfidenceThreshold = 0.7,
        TargetAccuracy = target, Seed = 3,
    };

    private static ITextLabeler Teacher() => new LocalTextLabeler(new RuleClassifier(), "rules", minConfidence: 0.55f);

    [Theory]
    [InlineData(NoveltyMethod.RougeL)]
    [InlineData(NoveltyMethod.MinHash)]
    public async Task EveryProposalIsCountedOnceAndEachRejectionHasItsReason(NoveltyMethod novelty)
    {
        var writer = new ScriptedWriter(Script);
        var trainer = new KeywordStudentTrainer();
        var loop = new TeachingLoop(trainer, Teacher(), writer, Options(novelty));
        var outcome = await loop.RunAsync(Seed, Dev, Labels, _dir, resume: false);
        var s = outcome.State;

        Assert.False(outcome.Interrupted);
        Assert.Equal(TeachingLoop.StopRounds, s.StopReason);
        Assert.Equal(3, s.Round);
        Assert.Equal(TeachingLoop.RejectDuplicate, s.SeedRejected["s5"]);
        Assert.Contains("below", s.SeedRejected["s6"]);
        Assert.Equal(["s1", "s2", "s3", "s4"], s.Examples.Where(e => e.Source == "seed").Select(e => e.Id));
        Assert.Equal([Spam, Ham, Spam, Ham], s.Examples.Where(e => e.Source == "seed").Select(e => e.Label)); // the teacher's labels

        var r0 = s.Rounds[0];
        Assert.Equal(11, r0.Proposed);
        Assert.Equal(2, r0.Kept);
        Assert.Equal(new SortedDictionary<string, int>
        {
            [TeachingLoop.RejectDuplicate] = 3, [TeachingLoop.RejectNotNovel] = 1, [TeachingLoop.RejectInvalidLabel] = 1, [TeachingLoop.RejectEmpty] = 1,
            [TeachingLoop.RejectTeacherUnsure] = 1, [TeachingLoop.RejectTeacherDisagrees] = 1, [TeachingLoop.RejectTeacherNoLabel] = 1,
        }, r0.Rejected);
        Assert.Equal(r0.Proposed, r0.Kept + r0.Rejected.Values.Sum());
        var r1 = s.Rounds[1];
        Assert.Equal((4, 2), (r1.Proposed, r1.Kept));
        Assert.Equal(2, r1.Rejected[TeachingLoop.RejectDuplicate]);
        Assert.Equal((0, 0, TeachingLoop.StopRounds), (s.Rounds[2].Proposed, s.Rounds[2].Kept, s.Rounds[2].Stop));

        // No text twice, no id twice; the data is the seed plus what each round kept.
        Assert.Equal(8, s.Examples.Count);
        Assert.Equal(s.Examples.Count, s.Examples.Select(e => e.Hash).Distinct().Count());
        Assert.Equal(s.Examples.Count, s.Examples.Select(e => e.Id).Distinct().Count());
        Assert.Equal(["claim your reward prize today", "team lunch on thursday", "transfer money urgently now", "notes from the design review"],
            s.Examples.Where(e => e.Source == "scripted").Select(e => e.Text));
        Assert.Equal([4, 6, 8], s.Rounds.Select(r => r.TrainExamples));
        Assert.Equal([4, 6, 8], trainer.Calls.Select(c => c.Examples));

        // The writer saw the student's failures: the unlearnable dev example, predicted ham, comes first.
        Assert.Equal([0, 1], writer.Requests.Select(r => r.Round));
        var failure = writer.Requests[0].Failures[0];
        Assert.Equal("meeting friday lunch", failure.Text);
        Assert.Equal((Spam, Ham), (failure.TrueLabel, failure.PredictedLabel));
        Assert.True(writer.Requests.All(r => r.Failures.Count <= 4));
        Assert.All(s.Rounds, r => Assert.InRange(r.DevAccuracy, 0, 8.0 / 9));

        // The checkpoint on disk is the final state.
        Assert.Equal(Json(s), Json(TeachingState.TryLoad(_dir)!));
    }

    [Fact]
    public async Task TheLoopStopsAtTheTargetAccuracyWithoutAskingTheWriter()
    {
        var writer = new ScriptedWriter(Script);
        var outcome = await new TeachingLoop(new KeywordStudentTrainer(), Teacher(), writer, Options(target: 0.3)).RunAsync(Seed, Dev, Labels, _dir, false);
        Assert.Equal(TeachingLoop.StopTarget, outcome.State.StopReason);
        Assert.Single(outcome.State.Rounds);
        Assert.Empty(writer.Requests);
        Assert.NotNull(outcome.Student);
    }

    [Fact]
    public async Task ACancelledRunResumesAtItsRoundAndEndsLikeAnUninterruptedOne()
    {
        var straight = await new TeachingLoop(new KeywordStudentTrainer(), Teacher(), new ScriptedWriter(Script), Options())
            .RunAsync(Seed, Dev, Labels, Path.Combine(_dir, "a"), false);

        using var cts = new CancellationTokenSource();
        var first = new ScriptedWriter(Script) { Before = r => { if (r.Round == 1) cts.Cancel(); } };
        var stopped = await new TeachingLoop(new KeywordStudentTrainer(), Teacher(), first, Options())
            .RunAsync(Seed, Dev, Labels, Path.Combine(_dir, "b"), false, cts.Token);
        Assert.True(stopped.Interrupted);
        var saved = TeachingState.TryLoad(Path.Combine(_dir, "b"))!;
        Assert.Equal(1, saved.Round); // round 0 done, round 1 in progress
        Assert.Single(saved.Rounds);
        Assert.Equal(6, saved.Examples.Count);

        await Assert.ThrowsAsync<IOException>(() => new TeachingLoop(new KeywordStudentTrainer(), Teacher(), new ScriptedWriter(Script), Options())
            .RunAsync(Seed, Dev, Labels, Path.Combine(_dir, "b"), resume: false));
        var second = new ScriptedWriter(Script);
        var trainer = new KeywordStudentTrainer();
        var resumed = await new TeachingLoop(trainer, Teacher(), second, Options()).RunAsync(Seed, Dev, Labels, Path.Combine(_dir, "b"), resume: true);
        Assert.Equal([1], second.Requests.Select(r => r.Round)); // round 0 was not asked again
        Assert.Equal([6, 8], trainer.Calls.Select(c => c.Examples));
        Assert.Equal(Json(straight.State), Json(resumed.State));
    }

    [Fact]
    public async Task TheBudgetStopsTheLoopWithStateSavedAndALargerBudgetFinishesIt()
    {
        var straight = await new TeachingLoop(new KeywordStudentTrainer(), Teacher(), new ScriptedWriter(Script), Options())
            .RunAsync(Seed, Dev, Labels, Path.Combine(_dir, "a"), false);

        // One token per text labelled: 5 seed texts, 5 round-0 candidates, then round 1's 2 do not fit in 11.
        var small = new Budget(maxTokens: 11);
        var dir = Path.Combine(_dir, "b");
        var outcome = await new TeachingLoop(new KeywordStudentTrainer(), new BudgetedLabeler(Teacher(), small), new ScriptedWriter(Script), Options()) { Budget = small }
            .RunAsync(Seed, Dev, Labels, dir, false);
        Assert.Equal(TeachingLoop.StopBudget, outcome.State.StopReason);
        Assert.True(small.Exhausted);
        var saved = TeachingState.TryLoad(dir)!;
        Assert.Equal((1, TeachingLoop.StopBudget, 6), (saved.Round, saved.StopReason, saved.Examples.Count));
        Assert.Equal(TeachingLoop.StopBudget, saved.Rounds[^1].Stop);

        var large = new Budget(maxTokens: 100);
        var resumed = await new TeachingLoop(new KeywordStudentTrainer(), new BudgetedLabeler(Teacher(), large), new ScriptedWriter(Script), Options()) { Budget = large }
            .RunAsync(Seed, Dev, Labels, dir, resume: true);
        Assert.Equal(2, large.SpentTokens); // only round 1's two candidates were labelled
        Assert.Equal(Json(straight.State), Json(resumed.State));
    }

    [Fact]
    public async Task ASeedTheTeacherCannotLabelIsAClearError()
    {
        var loop = new TeachingLoop(new KeywordStudentTrainer(), Teacher(), new ScriptedWriter(Script), Options());
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => loop.RunAsync([new("x", "?? ??", Ham)], Dev, Labels, _dir, false));
        Assert.Contains("none of the 1 seed texts received a label from rules", ex.Message);
        Assert.Contains("below", ex.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => loop.RunAsync(Seed, [new("bad", "x", 5)], Labels, _dir, false));
    }

    private static string Json(TeachingState s) => JsonSerializer.Serialize(s, TeachingState.Json);

    /// <summary>A labeller that spends one budget token per text, as a paid teacher would.</summary>
    private sealed class BudgetedLabeler(ITextLabeler inner, Budget budget) : ITextLabeler
    {
        public string Name => inner.Name;

        public async Task<IReadOnlyList<TeacherLabel>> LabelAsync(IReadOnlyList<string> texts, IReadOnlyList<string> labelNames, CancellationToken cancellationToken = default)
        {
            var r = budget.Reserve(texts.Count, 0);
            var result = await inner.LabelAsync(texts, labelNames, cancellationToken);
            budget.Settle(r, texts.Count, 0);
            return result;
        }
    }
}

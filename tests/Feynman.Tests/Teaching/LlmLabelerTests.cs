using Feynman.Synthesis.Teachers;
using Feynman.Tests.Teaching.Support;
using Feynman.Text;
using Feynman.Text.Labelling;
using Microsoft.Extensions.AI;

namespace Feynman.Tests.Teaching;

public sealed class LlmLabelerTests : IDisposable
{
    private static readonly string[] Labels = ["ham", "spam"];
    private readonly string _dir = Directory.CreateTempSubdirectory("feynman-label-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static TeacherEndpoint Endpoint(ScriptedOpenAIServer s) =>
        new() { BaseUrl = s.BaseUrl, Model = "big-model", ApiKeyVariable = null, InputPricePerMillion = 1_000, OutputPricePerMillion = 2_000 };

    // MaxRetries 0 is refused by Polly (MaxRetryAttempts must be at least 1), so one retry is the least.
    private static TeacherPoolOptions Pool(int retries = 1, double timeoutSeconds = 20) => new()
    {
        MaxInFlight = 4, MaxRetries = retries, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50),
        AttemptTimeout = TimeSpan.FromSeconds(timeoutSeconds),
    };

    private (TeacherPool Pool, TeacherCaller Caller, TeacherCallCache Cache) Teacher(ScriptedOpenAIServer server, Budget? budget = null, TeacherPoolOptions? options = null, string cacheName = "cache.db")
    {
        var pool = new TeacherPool([Endpoint(server)], options ?? Pool());
        var cache = TeacherCallCache.Open(Path.Combine(_dir, cacheName));
        return (pool, new TeacherCaller(pool, "big-model", cache, budget), cache);
    }

    private static ScriptedToken Tok(string token, double lp, params (string, double)[] top) => new(token, lp, top);

    // "Sp" and " spam" both start the label spam; "The" names no label and is ignored.
    private static ScriptedReply LogProbReply(ScriptedRequest r) => r.LastUser.Contains("win money")
        ? new ScriptedReply("spam", [Tok("sp", -0.1, ("sp", -0.1), ("ham", -2.5), ("Sp", -3.2), ("The", -4.0)), Tok("am", -0.01, ("am", -0.01))])
        : new ScriptedReply("ham", [Tok(" ", -0.05, (" ", -0.05)), Tok("ham", -0.3, ("ham", -0.3), (" spam", -1.4), ("maybe", -2.0))]);

    [Fact]
    public async Task SoftLabelsFromTopLogProbsAreTheSoftmaxOverLabelTokens()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync(LogProbReply);
        var (pool, caller, cache) = Teacher(server);
        using var _p = pool;
        using var _c = cache;
        var labeler = new LlmTextLabeler(caller, new LlmLabelerOptions { TopLogProbs = 5 });
        var labels = await labeler.LabelAsync(["win money now", "meeting at noon"], Labels);

        double spam = (Math.Exp(-0.1) + Math.Exp(-3.2)) / (Math.Exp(-0.1) + Math.Exp(-3.2) + Math.Exp(-2.5));
        Assert.Equal(1, labels[0].Label);
        Assert.Equal(1 - spam, labels[0].Probabilities![0], 5);
        Assert.Equal(spam, labels[0].Probabilities![1], 5);
        // The blank first token is skipped; "maybe" is not a label and carries no mass.
        double ham = Math.Exp(-0.3) / (Math.Exp(-0.3) + Math.Exp(-1.4));
        Assert.Equal(0, labels[1].Label);
        Assert.Equal(ham, labels[1].Probabilities![0], 5);
        Assert.True(labeler.LogProbsAvailable);

        var sent = server.Received.ToList();
        Assert.Equal(3, sent.Count); // the probe, then one greedy request per text
        Assert.All(sent, r => { Assert.True(r.LogProbs); Assert.Equal(5, r.TopLogProbs); Assert.Equal(0.0, r.Temperature); });
        Assert.Contains("ham, spam", sent[0].Messages[0].Content);
        // Cost: the endpoint's prices over the server's usage (words).
        var req = sent.Single(r => r.LastUser.Contains("win money"));
        int promptWords = req.Prompt.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        Assert.Equal(promptWords + 1, labels[0].Tokens);
        Assert.Equal((decimal)((promptWords * 1_000.0 + 1 * 2_000.0) / 1e6), labels[0].Cost, 10);
    }

    [Fact]
    public async Task WithoutLogProbsSoftLabelsAreVoteFrequenciesOfSeededSamples()
    {
        // No logprobs ever; the answer depends on the seed, as a sampling endpoint's would.
        await using var server = await ScriptedOpenAIServer.StartAsync(r =>
            new ScriptedReply(r.LastUser.Contains("mixed") ? (r.Seed!.Value % 5 is 0 or 1 or 2 ? "Spam." : "ham") : "ham"));
        var (pool, caller, cache) = Teacher(server);
        using var _p = pool;
        using var _c = cache;
        var labeler = new LlmTextLabeler(caller, new LlmLabelerOptions { Samples = 5, Seed = 1, SampleTemperature = 0.7f });
        var labels = await labeler.LabelAsync(["a mixed message", "plain note"], Labels);

        Assert.False(labeler.LogProbsAvailable);
        // Seeds 1..5: 1, 2 and 5 (mod 5 in {0,1,2}) answer spam.
        Assert.Equal(1, labels[0].Label);
        Assert.Equal([0.4f, 0.6f], labels[0].Probabilities!);
        Assert.Equal([1f, 0f], labels[1].Probabilities!);
        var samples = server.Received.Where(r => !r.LogProbs).ToList();
        Assert.Equal(10, samples.Count);
        Assert.All(samples, r => Assert.Equal(0.7, r.Temperature!.Value, 5));
        Assert.Equal([1L, 2, 3, 4, 5], samples.Where(r => r.LastUser.Contains("mixed")).Select(r => r.Seed!.Value).Order());
    }

    [Fact]
    public async Task InvalidAnswersAreRetriedWithACorrectionThenRejectedWithTheReason()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync(r =>
            r.Prompt.Contains("gibberish") ? new ScriptedReply("maybe, it depends")
            : r.Prompt.Contains("second chance") ? new ScriptedReply(r.LastUser.Contains("not one of the labels") ? "ham" : "maybe, it depends")
            : new ScriptedReply("spam"));
        var (pool, caller, cache) = Teacher(server);
        using var _p = pool;
        using var _c = cache;
        var labeler = new LlmTextLabeler(caller, new LlmLabelerOptions { SoftLabels = SoftLabelSource.LogProbs, MaxRetries = 2 });
        var labels = await labeler.LabelAsync(["gibberish", "second chance", "buy now"], Labels);

        Assert.False(labels[0].IsValid);
        Assert.Equal(-1, labels[0].Label);
        Assert.Contains("no valid label after 3 answers", labels[0].Rejected);
        Assert.Contains("'maybe, it depends'", labels[0].Rejected);
        Assert.Contains("expected one of: ham, spam", labels[0].Rejected);
        Assert.Equal(3, server.Received.Count(r => r.Prompt.Contains("gibberish")));
        Assert.True(labels[1].IsValid);
        Assert.Equal(0, labels[1].Label);
        Assert.Equal(2, server.Received.Count(r => r.Prompt.Contains("second chance")));
        // The retry shows the model its own answer and asks again.
        var retry = server.Received.Single(r => r.Prompt.Contains("second chance") && r.Messages.Count > 2);
        Assert.Equal(("assistant", "maybe, it depends"), retry.Messages[^2]);
        Assert.Equal(1, labels[2].Label);
        Assert.Equal([0f, 1f], labels[2].Probabilities!); // no logprobs returned: the answer is certain
    }

    [Fact]
    public async Task ServerFailureGivesAClearErrorAndKeepsEveryAnswerSoARerunOnlyAsksTheRest()
    {
        bool broken = true;
        await using var server = await ScriptedOpenAIServer.StartAsync(r =>
            broken && r.LastUser.Contains("boom") ? new ScriptedReply("", Status: 500) : new ScriptedReply(r.LastUser.Contains("free") ? "spam" : "ham"));
        var texts = new[] { "hello there", "free prize", "boom goes the server", "lunch?", "free free" };
        var options = new LlmLabelerOptions { SoftLabels = SoftLabelSource.LogProbs, MaxConcurrency = 1 };
        long cached;
        {
            var (pool, caller, cache) = Teacher(server);
            using var _p = pool;
            using var _c = cache;
            var ex = await Assert.ThrowsAsync<TeacherLabellingException>(() => new LlmTextLabeler(caller, options).LabelAsync(texts, Labels));
            Assert.Contains("500", ex.Message);
            Assert.Contains("cached; rerun to continue", ex.Message);
            cached = cache.Count;
            Assert.InRange(cached, 0, 4); // whatever was answered before the failure stopped the batch
        }
        broken = false;
        int before = server.Received.Count;
        {
            var (pool, caller, cache) = Teacher(server);
            using var _p = pool;
            using var _c = cache;
            var labels = await new LlmTextLabeler(caller, options).LabelAsync(texts, Labels);
            Assert.Equal([0, 1, 0, 0, 1], labels.Select(l => l.Label));
            Assert.Equal(5 - cached, server.Received.Count - before); // only the texts not answered before
            Assert.Equal(cached, labels.Count(l => l.Tokens == 0));
            Assert.True(labels[2].Tokens > 0);
        }
    }

    [Fact]
    public async Task AHangingServerTimesOutWithAClearError()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync(r => new ScriptedReply("ham", Delay: TimeSpan.FromSeconds(30)));
        var (pool, caller, cache) = Teacher(server, options: Pool(retries: 1, timeoutSeconds: 0.3));
        using var _p = pool;
        using var _c = cache;
        var ex = await Assert.ThrowsAsync<TeacherLabellingException>(() =>
            new LlmTextLabeler(caller, new LlmLabelerOptions { SoftLabels = SoftLabelSource.LogProbs }).LabelAsync(["slow"], Labels));
        Assert.Contains("timeout", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task ARerunIsAnsweredFromTheCacheWithZeroRequestsAndIdenticalLabels()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync(r =>
            new ScriptedReply(r.Seed!.Value % 3 == 0 ? "spam" : "ham"));
        var texts = Enumerable.Range(0, 12).Select(i => $"message number {i}").ToArray();
        var options = new LlmLabelerOptions { Samples = 4, MaxConcurrency = 4 };
        IReadOnlyList<Feynman.Text.Teaching.TeacherLabel> first, second;
        TeacherSpend firstSpend, secondSpend;
        {
            var (pool, caller, cache) = Teacher(server);
            using var _p = pool;
            using var _c = cache;
            first = await new LlmTextLabeler(caller, options).LabelAsync(texts, Labels);
            firstSpend = caller.Meter.Snapshot();
        }
        int sent = server.Received.Count;
        Assert.Equal(1 + 12 * 4, sent);
        {
            var (pool, caller, cache) = Teacher(server);
            using var _p = pool;
            using var _c = cache;
            second = await new LlmTextLabeler(caller, options).LabelAsync(texts, Labels);
            secondSpend = caller.Meter.Snapshot();
            Assert.Equal(0, caller.Sent);
        }
        Assert.Equal(sent, server.Received.Count);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(first[i].Label, second[i].Label);
            Assert.Equal(first[i].Probabilities, second[i].Probabilities);
            Assert.True(first[i].Tokens > 0);
            Assert.Equal(0, second[i].Tokens);
            Assert.Equal(0m, second[i].Cost);
        }
        // The data cost the same either way; this process spent nothing.
        Assert.Equal(firstSpend.Tokens, secondSpend.Tokens);
        Assert.Equal(firstSpend.Cost, secondSpend.Cost, 12);
        Assert.Equal(0, secondSpend.FreshTokens);
        Assert.Equal(secondSpend.Calls, secondSpend.CachedCalls);
    }

    [Fact]
    public async Task BudgetCapStopsWithBudgetExceededAndKeepsWhatWasBought()
    {
        await using var server = await ScriptedOpenAIServer.StartAsync(r => new ScriptedReply("ham"));
        var texts = Enumerable.Range(0, 10).Select(i => $"note {i}").ToArray();
        var options = new LlmLabelerOptions { SoftLabels = SoftLabelSource.LogProbs, MaxConcurrency = 1, MaxOutputTokens = 4 };
        // Each request reserves its estimated prompt plus 4 output tokens (about 35); 120 tokens buy three of them.
        var budget = new Budget(maxTokens: 120);
        var (pool, caller, cache) = Teacher(server, budget);
        using var _p = pool;
        using var _c = cache;
        var ex = await Assert.ThrowsAsync<BudgetExceededException>(() => new LlmTextLabeler(caller, options).LabelAsync(texts, Labels));
        Assert.Contains("token cap", ex.Message);
        Assert.True(budget.Exhausted);
        Assert.InRange(server.Received.Count, 1, 9);
        Assert.Equal(server.Received.Count, cache.Count); // every answer paid for is kept
        Assert.True(budget.SpentTokens <= 120);
        Assert.Equal(caller.Meter.Snapshot().FreshTokens, budget.SpentTokens);
    }

    [Fact]
    public async Task TextsAreLabelledConcurrentlyAndCancellationStopsThemKeepingWhatWasAnswered()
    {
        using var hold = new ManualResetEventSlim(false);
        int inFlight = 0, maxInFlight = 0, held = 0, quick = 0;
        await using var server = await ScriptedOpenAIServer.StartAsync(r =>
        {
            int now = Interlocked.Increment(ref inFlight);
            lock (hold) maxInFlight = Math.Max(maxInFlight, now);
            try
            {
                if (r.LastUser.Contains("quick")) Interlocked.Increment(ref quick);
                else
                {
                    Interlocked.Increment(ref held);
                    hold.Wait(TimeSpan.FromSeconds(20)); // held until the test lets go
                }
                return new ScriptedReply("ham");
            }
            finally { Interlocked.Decrement(ref inFlight); }
        });
        var texts = new[] { "quick one", "quick two", "slow a", "slow b", "slow c", "slow d" };
        var options = new LlmLabelerOptions { SoftLabels = SoftLabelSource.LogProbs, MaxConcurrency = 3 };
        long cached;
        {
            var (pool, caller, cache) = Teacher(server);
            using var _p = pool;
            using var _c = cache;
            using var cts = new CancellationTokenSource();
            var labelling = new LlmTextLabeler(caller, options).LabelAsync(texts, Labels, cts.Token);
            // Wait until three slow texts are held at once: the labeller keeps MaxConcurrency requests going. All three
            // slots are then held, so every quick text that started has finished and been cached.
            for (int spin = 0; spin < 2000 && Volatile.Read(ref held) < 3; spin++) await Task.Delay(10);
            Assert.Equal(3, Volatile.Read(ref held));
            int answered = Volatile.Read(ref quick);
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => labelling);
            hold.Set();
            cached = cache.Count;
            Assert.Equal(answered, cached); // the quick answers; nothing held was recorded
        }
        Assert.Equal(3, maxInFlight);
        int before = server.Received.Count;
        {
            var (pool, caller, cache) = Teacher(server);
            using var _p = pool;
            using var _c = cache;
            var labels = await new LlmTextLabeler(caller, options).LabelAsync(texts, Labels);
            Assert.All(labels, l => Assert.Equal(0, l.Label));
        }
        Assert.Equal(texts.Length - cached, server.Received.Count - before);
    }

    [Fact]
    public void LabelMatcherAcceptsLabelsNotSentences()
    {
        var m = new LabelMatcher(["easy_ham", "spam"]);
        Assert.Equal(0, m.Match("Easy ham"));
        Assert.Equal(0, m.Match("\"easy-ham\""));
        Assert.Equal(1, m.Match("**Spam**."));
        Assert.Equal(1, m.Match("Label: spam"));
        Assert.Equal(1, m.Match("spam\nIt asks for money."));
        Assert.Equal(-1, m.Match("I think spam"));
        Assert.Equal(-1, m.Match(""));
        Assert.Equal(0, m.MatchTokenPrefix(" Easy"));
        Assert.Equal(-1, m.MatchTokenPrefix(" "));
        Assert.Throws<ArgumentException>(() => new LabelMatcher(["Spam", "spam"]));
    }

    [Fact]
    public async Task LocalLabelerReordersTheModelsProbabilitiesToTheAskedLabels()
    {
        var model = new FixedClassifier(["spam", "ham"], t => t.Contains("money") ? [0.9f, 0.1f] : [0.2f, 0.8f]);
        var labels = await new LocalTextLabeler(model).LabelAsync(["money now", "hi"], Labels);
        Assert.Equal(1, labels[0].Label);
        Assert.Equal([0.1f, 0.9f], labels[0].Probabilities!);
        Assert.Equal(0, labels[1].Label);
        Assert.Equal(0m, labels[0].Cost);
        var strict = await new LocalTextLabeler(model, minConfidence: 0.85f).LabelAsync(["hi"], Labels);
        Assert.Contains("below", strict[0].Rejected);
        await Assert.ThrowsAsync<ArgumentException>(() => new LocalTextLabeler(model).LabelAsync(["x"], ["ham", "phishing"]));
    }

    private sealed class FixedClassifier(string[] names, Func<string, float[]> f) : ITextClassifier
    {
        public IReadOnlyList<string> LabelNames => names;
        public void PredictProbabilities(string text, Span<float> probabilities) => f(text).CopyTo(probabilities);
    }
}

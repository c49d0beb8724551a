using Feynman.Training.Recipes;

namespace Feynman.Paradigms.ActiveLearning;

/// <summary>
/// The <c>active_learning</c> section of a recipe (paradigm <c>active-learning</c>): the label schedule,
/// the strategies compared and the seeds each is run with.
/// </summary>
public sealed record ActiveLearningSpec
{
    public const string SectionKey = "active_learning";
    public const string ParadigmName = "active-learning";

    private static readonly string[] Keys = ["initial", "batch", "max_labels", "strategies", "seeds", "warm_start", "steps", "pool_subsample", "mc_passes", "label_cost", "parallel"];

    public int Initial { get; init; } = 100;

    public int Batch { get; init; } = 100;

    public int MaxLabels { get; init; } = 3000;

    public IReadOnlyList<string> Strategies { get; init; } = QueryStrategies.Names;

    public IReadOnlyList<ulong> Seeds { get; init; } = [1];

    public bool WarmStart { get; init; }

    /// <summary>Optimizer steps per round (0: the student's epochs); see <see cref="ActiveLearningOptions.StepsPerRound"/>.</summary>
    public int Steps { get; init; }

    public int PoolSubsample { get; init; }

    /// <summary>BALD's stochastic passes (T).</summary>
    public int MonteCarloPasses { get; init; } = 10;

    public double LabelCost { get; init; } = 1;

    /// <summary>
    /// (strategy, seed) runs trained at once, each on its own thread with one-thread kernels (1: one after the
    /// other, kernels on every core). Each run owns its generators and student, so the curves do not change.
    /// </summary>
    public int Parallel { get; init; } = 1;

    public ActiveLearningOptions ToOptions() => new()
    {
        InitialLabels = Initial, BatchSize = Batch, MaxLabels = MaxLabels, WarmStart = WarmStart, StepsPerRound = Steps, PoolSubsample = PoolSubsample,
    };

    public static ActiveLearningSpec Parse(RecipeNode node)
    {
        var k = node.Mapping(Keys);
        var spec = new ActiveLearningSpec();
        if (k.TryGetValue("initial", out var i)) spec = spec with { Initial = i.Int(1) };
        if (k.TryGetValue("batch", out var b)) spec = spec with { Batch = b.Int(1) };
        if (k.TryGetValue("max_labels", out var m)) spec = spec with { MaxLabels = m.Int(1) };
        if (k.TryGetValue("strategies", out var s))
        {
            var names = s.Sequence().Select(x => x.Choice([.. QueryStrategies.Names])).ToList();
            if (names.Count == 0) throw s.Error($"give at least one strategy; known: {string.Join(", ", QueryStrategies.Names)}.");
            if (names.Distinct().Count() != names.Count) throw s.Error("a strategy is listed twice.");
            spec = spec with { Strategies = names };
        }
        if (k.TryGetValue("seeds", out var sd))
        {
            var seeds = sd.Sequence().Select(x => x.UInt64()).ToList();
            if (seeds.Count == 0) throw sd.Error("give at least one seed.");
            spec = spec with { Seeds = seeds };
        }
        if (k.TryGetValue("warm_start", out var w)) spec = spec with { WarmStart = w.Bool() };
        if (k.TryGetValue("steps", out var st)) spec = spec with { Steps = st.Int(0, 10_000_000) };
        if (k.TryGetValue("pool_subsample", out var p)) spec = spec with { PoolSubsample = p.Int(0) };
        if (k.TryGetValue("mc_passes", out var t)) spec = spec with { MonteCarloPasses = t.Int(2, 1000) };
        if (k.TryGetValue("label_cost", out var c)) spec = spec with { LabelCost = c.Double(0) };
        if (k.TryGetValue("parallel", out var par)) spec = spec with { Parallel = par.Int(1, 1024) };
        if (spec.MaxLabels < spec.Initial) throw node.Error($"max_labels ({spec.MaxLabels}) is below initial ({spec.Initial}).");
        return spec;
    }

    /// <summary>What an active-learning recipe lacks (null when complete).</summary>
    public static string? Validate(Recipe recipe)
    {
        if (recipe.Section<ActiveLearningSpec>(SectionKey) is null) return $"needs an '{SectionKey}' section (initial, batch, max_labels, strategies, seeds).";
        if (recipe.Student is null && recipe.Model is null) return "needs a 'student' (or 'model') section: the model trained each round.";
        if (recipe.Teachers.Count > 0) return "the oracle is the dataset's labels; remove the teacher section.";
        return null;
    }

    /// <summary>Makes recipes accept the section and the paradigm; idempotent.</summary>
    public static void Register()
    {
        RecipeParser.RegisterSection(SectionKey, Parse);
        RecipeParser.RegisterParadigm(ParadigmName, Validate);
    }
}

using Feynman.Training.Recipes;

namespace Feynman.Paradigms.LabelQuality;

/// <summary>
/// The <c>label_quality</c> section of a recipe (paradigm <c>label-quality</c>): flip a share of the training
/// labels (class-conditional, seeded), find them by confident learning with k-fold out-of-fold probabilities,
/// and compare students trained on noisy, cleaned and true labels.
/// </summary>
public sealed record LabelQualitySpec
{
    public const string SectionKey = "label_quality";
    public const string ParadigmName = "label-quality";

    private static readonly string[] Keys = ["noise", "noise_seed", "folds"];

    /// <summary>Share of training labels flipped before the check (0: check the labels as given).</summary>
    public double Noise { get; init; }

    public ulong NoiseSeed { get; init; } = 1;

    public int Folds { get; init; } = 5;

    public static LabelQualitySpec Parse(RecipeNode node)
    {
        var k = node.Mapping(Keys);
        var spec = new LabelQualitySpec();
        if (k.TryGetValue("noise", out var n)) spec = spec with { Noise = n.Double(0, 0.95) };
        if (k.TryGetValue("noise_seed", out var s)) spec = spec with { NoiseSeed = s.UInt64() };
        if (k.TryGetValue("folds", out var f)) spec = spec with { Folds = f.Int(2, 100) };
        return spec;
    }

    public static string? Validate(Recipe recipe)
    {
        if (recipe.Section<LabelQualitySpec>(SectionKey) is null) return $"needs a '{SectionKey}' section (noise, noise_seed, folds).";
        if (recipe.Student is null && recipe.Model is null) return "needs a 'model' (or 'student') section: the model used for cross-validation and for the three students.";
        return null;
    }

    public static void Register()
    {
        RecipeParser.RegisterSection(SectionKey, Parse);
        RecipeParser.RegisterParadigm(ParadigmName, Validate);
    }
}

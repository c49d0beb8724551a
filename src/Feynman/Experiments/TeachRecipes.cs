using Feynman.Synthesis.Teachers;
using Feynman.Text.Labelling;
using Feynman.Text.Teaching;
using Feynman.Training.Recipes;
using YamlDotNet.RepresentationModel;

namespace Feynman.Experiments;

/// <summary>Registers the <c>teach:</c> recipe section and the "teach" paradigm with <see cref="RecipeParser"/> (idempotent).
/// Keys and meanings: docs/text-teaching.md.</summary>
public static class TeachRecipes
{
    private static readonly Lazy<bool> Registered = new(() =>
    {
        RecipeParser.RegisterSection(TeachSpec.SectionKey, Parse);
        RecipeParser.RegisterParadigm(TeachSpec.ParadigmName, r => r.Section<TeachSpec>(TeachSpec.SectionKey) is null ? "needs a 'teach' section." : null);
        Text.Generation.LocalWriterComponent.Register(); // writer "local": the class-conditioned byte-level generator
        TextTeachComponents.Register();                  // data spam-assassin, students fasttext/transformer, labeller local
        return true;
    });

    public static void Register() => _ = Registered.Value;

    private static readonly string[] Keys =
    [
        "rounds", "failures_per_round", "examples_per_round", "novelty", "confidence_threshold", "target_accuracy", "soft_targets",
        "labels", "data", "student", "labeler", "writer", "endpoint", "budget", "labelling", "writing",
    ];

    public static TeachSpec Parse(RecipeNode c)
    {
        var k = c.Mapping(Keys);
        var loop = new TeachingOptions();
        if (k.TryGetValue("rounds", out var r)) loop = loop with { Rounds = r.Int(1, 1000) };
        if (k.TryGetValue("failures_per_round", out var f)) loop = loop with { FailuresPerRound = f.Int(0, 100_000) };
        if (k.TryGetValue("examples_per_round", out var e)) loop = loop with { ExamplesPerRound = e.Int(1, 1_000_000) };
        if (k.TryGetValue("confidence_threshold", out var ct)) loop = loop with { ConfidenceThreshold = ct.Double(0, 1) };
        if (k.TryGetValue("target_accuracy", out var ta)) loop = loop with { TargetAccuracy = ta.Double(0, 1) };
        if (k.TryGetValue("soft_targets", out var st)) loop = loop with { SoftTargets = st.Bool() };
        if (k.TryGetValue("novelty", out var nv))
        {
            var nk = nv.Mapping(["method", "threshold"]);
            if (nk.TryGetValue("method", out var m)) loop = loop with { Novelty = m.Choice("rouge_l", "minhash") == "minhash" ? NoveltyMethod.MinHash : NoveltyMethod.RougeL };
            if (nk.TryGetValue("threshold", out var t)) loop = loop with { NoveltyThreshold = t.Double(0, 1) };
        }
        var spec = new TeachSpec { Loop = loop };
        if (k.TryGetValue("labels", out var l))
        {
            var names = l.Sequence().Select(x => x.String()).ToList();
            if (names.Count < 2) throw l.Error("give at least two labels.");
            if (names.Distinct(StringComparer.OrdinalIgnoreCase).Count() != names.Count) throw l.Error("labels must differ.");
            spec = spec with { Labels = names };
        }
        if (k.TryGetValue("data", out var d)) spec = spec with { Data = Component(d) };
        if (k.TryGetValue("student", out var s)) spec = spec with { Student = Component(s) };
        if (k.TryGetValue("labeler", out var lb)) spec = spec with { Labeler = Component(lb) };
        if (k.TryGetValue("writer", out var w)) spec = spec with { Writer = Component(w) };
        if (k.TryGetValue("endpoint", out var ep) && !ep.IsNull)
        {
            var ek = ep.Mapping(["url", "model", "api_key_env", "input_price", "output_price", "max_concurrency", "timeout"]);
            if (!ek.TryGetValue("url", out var url) || !ek.TryGetValue("model", out var model)) throw ep.Error("an endpoint needs 'url' and 'model'.");
            if (!Uri.TryCreate(url.String(), UriKind.Absolute, out var uri)) throw url.Error($"'{url.String()}' is not an absolute URL.");
            spec = spec with
            {
                Endpoint = new TeacherEndpoint
                {
                    BaseUrl = uri, Model = model.String(),
                    ApiKeyVariable = ek.TryGetValue("api_key_env", out var key) ? key.String() : "OPENAI_API_KEY",
                    InputPricePerMillion = ek.TryGetValue("input_price", out var ip) ? ip.Double(0) : 0,
                    OutputPricePerMillion = ek.TryGetValue("output_price", out var op) ? op.Double(0) : 0,
                    MaxConcurrency = ek.TryGetValue("max_concurrency", out var mc) ? mc.Int(1, 1024) : 8,
                },
                TimeoutSeconds = ek.TryGetValue("timeout", out var to) ? to.Double(0, minExclusive: true) : spec.TimeoutSeconds,
            };
        }
        if (k.TryGetValue("budget", out var b))
        {
            var bk = b.Mapping(["max_cost", "max_tokens"]);
            spec = spec with
            {
                MaxCost = bk.TryGetValue("max_cost", out var mc) ? mc.Double(0) : null,
                MaxTokens = bk.TryGetValue("max_tokens", out var mt) ? (long)mt.UInt64() : null,
            };
        }
        if (k.TryGetValue("labelling", out var lab))
        {
            var lk = lab.Mapping(["soft_labels", "samples", "temperature", "retries", "top_logprobs", "concurrency", "few_shot_per_label", "text_kind", "guidance", "max_text_chars"]);
            var o = spec.Labelling;
            if (lk.TryGetValue("soft_labels", out var sl)) o = o with
            {
                SoftLabels = sl.Choice("auto", "logprobs", "samples") switch { "logprobs" => SoftLabelSource.LogProbs, "samples" => SoftLabelSource.Samples, _ => SoftLabelSource.Auto },
            };
            if (lk.TryGetValue("samples", out var sm)) o = o with { Samples = sm.Int(1, 100) };
            if (lk.TryGetValue("temperature", out var tp)) o = o with { SampleTemperature = (float)tp.Double(0, 2, minExclusive: true) };
            if (lk.TryGetValue("retries", out var rt)) o = o with { MaxRetries = rt.Int(0, 10) };
            if (lk.TryGetValue("top_logprobs", out var tl)) o = o with { TopLogProbs = tl.Int(1, 20) };
            if (lk.TryGetValue("concurrency", out var cc)) o = o with { MaxConcurrency = cc.Int(1, 1024) };
            if (lk.TryGetValue("text_kind", out var tk)) o = o with { TextKind = tk.String() };
            if (lk.TryGetValue("guidance", out var g)) o = o with { Guidance = g.String() };
            if (lk.TryGetValue("max_text_chars", out var mx)) o = o with { MaxTextCharacters = mx.Int(100, 1_000_000) };
            spec = spec with { Labelling = o, FewShotPerLabel = lk.TryGetValue("few_shot_per_label", out var fs) ? fs.Int(0, 50) : 0 };
        }
        if (k.TryGetValue("writing", out var wr))
        {
            var wk = wr.Mapping(["per_request", "temperature", "tokens_per_example", "text_kind", "guidance"]);
            var o = spec.Writing;
            if (wk.TryGetValue("per_request", out var pr)) o = o with { PerRequest = pr.Int(1, 200) };
            if (wk.TryGetValue("temperature", out var tp)) o = o with { Temperature = (float)tp.Double(0, 2) };
            if (wk.TryGetValue("tokens_per_example", out var te)) o = o with { TokensPerExample = te.Int(8, 100_000) };
            if (wk.TryGetValue("text_kind", out var tk)) o = o with { TextKind = tk.String() };
            if (wk.TryGetValue("guidance", out var g)) o = o with { Guidance = g.String() };
            spec = spec with { Writing = o };
        }
        return spec;
    }

    // "name" or {name: ..., other scalar options}; options are passed to the registered factory as text.
    private static TeachComponent Component(RecipeNode c)
    {
        if (c.IsScalar) return TeachComponent.Named(c.String());
        if (c.Node is not YamlMappingNode map) throw c.Error($"expected a name or a mapping with 'name' and options, got {c.Describe()}.");
        string? name = null;
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Children)
        {
            string k = (key as YamlScalarNode)?.Value ?? throw c.Error("option names must be plain text.");
            if (value is not YamlScalarNode { Value: { } v }) throw new RecipeNode(value, $"{c.Path}.{k}", c.File).Error("options are single values (text or numbers).");
            if (k == "name") name = v;
            else options[k] = v;
        }
        return new TeachComponent(name ?? throw c.Error("this section needs a 'name' (a registered component)."), options);
    }
}

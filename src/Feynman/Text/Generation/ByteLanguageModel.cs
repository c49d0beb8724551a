using System.Globalization;
using System.Text.Json;
using Feynman.Autograd;
using Feynman.Nn;
using Feynman.Serialization;
using Feynman.Tensors;

namespace Feynman.Text.Generation;

/// <summary>
/// A small class-conditioned byte-level transformer language model (GPT-style decoder: token and learned position
/// embeddings, pre-norm causal blocks, a final LayerNorm and a linear head over the <see cref="ByteTokens"/>
/// vocabulary). Every sequence starts with a class token, so sampling can be asked for a class; train it with
/// <see cref="LanguageModelTrainer"/> and sample it with <see cref="TextSampler"/>.
/// </summary>
public sealed class ByteLanguageModel : Module
{
    /// <summary>The metadata key that marks a saved model, so loading some other safetensors file fails clearly.</summary>
    public const string FormatTag = "feynman.byte-lm.v1";

    private readonly TransformerEncoderLayer[] blocks;

    public ByteLanguageModel(IReadOnlyList<string> labelNames, LanguageModelOptions? options = null, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(labelNames);
        if (labelNames.Count == 0) throw new ArgumentException("a class-conditioned language model needs at least one label name.", nameof(labelNames));
        options ??= new LanguageModelOptions();
        options.Validate();
        LabelNames = labelNames.ToArray();
        Options = options;
        VocabularySize = ByteTokens.VocabularySize(LabelNames.Count);
        var rng = new Generator((ulong)(uint)seed);
        int e = options.EmbedDim;
        TokenEmbedding = RegisterModule("tok_emb", new Embedding(VocabularySize, e, rng: rng));
        PositionEmbedding = RegisterParameter("pos_emb", TensorScope.Outside(() => Tensor.Zeros(options.ContextLength, e)));
        // GPT-2's 0.02: small embeddings next to the blocks' outputs, so early training is not dominated by them.
        Init.Normal(TokenEmbedding.Weight, 0, 0.02, rng);
        Init.Normal(PositionEmbedding, 0, 0.02, rng);
        blocks = new TransformerEncoderLayer[options.Layers];
        for (int i = 0; i < blocks.Length; i++)
            blocks[i] = new TransformerEncoderLayer(e, options.Heads, options.FeedForwardDim, options.Dropout, "gelu",
                                                    batchFirst: true, normFirst: true, rng: rng) { IsCausal = true };
        RegisterModule("blocks", new ModuleList(blocks));
        FinalNorm = RegisterModule("norm", new LayerNorm(e));
        Head = RegisterModule("head", new Linear(e, VocabularySize, rng: rng));
    }

    public IReadOnlyList<string> LabelNames { get; }

    public LanguageModelOptions Options { get; }

    /// <summary>256 bytes, end, start, unlabelled, then one token per class.</summary>
    public int VocabularySize { get; }

    public int ContextLength => Options.ContextLength;

    public Embedding TokenEmbedding { get; }

    /// <summary>[context length, embed dim].</summary>
    public Tensor PositionEmbedding { get; }

    /// <summary>The pre-norm causal transformer blocks.</summary>
    public IReadOnlyList<TransformerEncoderLayer> Blocks => blocks;

    public LayerNorm FinalNorm { get; }

    public Linear Head { get; }

    /// <summary>
    /// Next-token logits [batch, length, vocabulary] for <paramref name="tokens"/>, row-major [batch, length]. Position t
    /// sees tokens 0..t only (causal), so one pass scores every next token of every window.
    /// </summary>
    public Tensor Forward(int[] tokens, int batch, int length)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (batch <= 0 || length <= 0 || tokens.Length != batch * length)
            throw new ArgumentException($"byte language model: {tokens.Length} tokens do not form [batch {batch}, length {length}].");
        if (length > ContextLength)
            throw new ArgumentException($"byte language model: length {length} exceeds the context length {ContextLength}.");
        foreach (int t in tokens)
            if ((uint)t >= (uint)VocabularySize)
                throw new ArgumentException($"byte language model: token {t} is outside the vocabulary [0, {VocabularySize}).");
        var x = TokenEmbedding.Forward(tokens, [batch, length]);
        x = Ops.Add(x, Ops.Narrow(PositionEmbedding, 0, 0, length));
        foreach (var block in blocks) x = block.Forward(x, null, null, isCausal: true);
        return Head.Forward(FinalNorm.Forward(x));
    }

    /// <summary>Not available: the model takes token ids; call <see cref="Forward(int[], int, int)"/>.</summary>
    public override Tensor Forward(Tensor x) =>
        throw new NotSupportedException($"ByteLanguageModel takes token ids, not a float tensor ({x.ShapeString}): call Forward(int[] tokens, int batch, int length).");

    /// <summary>Writes the weights, the shape and the label names to one safetensors file (read back with <see cref="FromFile"/>).</summary>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        var metadata = new Dictionary<string, string>
        {
            ["format"] = FormatTag,
            ["labels"] = JsonSerializer.Serialize(LabelNames),
            ["context_length"] = Options.ContextLength.ToString(CultureInfo.InvariantCulture),
            ["embed_dim"] = Options.EmbedDim.ToString(CultureInfo.InvariantCulture),
            ["heads"] = Options.Heads.ToString(CultureInfo.InvariantCulture),
            ["layers"] = Options.Layers.ToString(CultureInfo.InvariantCulture),
            ["feed_forward_dim"] = Options.FeedForwardDim.ToString(CultureInfo.InvariantCulture),
            ["dropout"] = Options.Dropout.ToString("R", CultureInfo.InvariantCulture),
        };
        ModuleSerialization.Save(this, path, metadata);
    }

    /// <summary>A model saved by <see cref="Save"/>, in evaluation mode.</summary>
    public static ByteLanguageModel FromFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"no saved language model at {path}.", path);
        var meta = Safetensors.ReadMetadata(path);
        if (!meta.TryGetValue("format", out var format) || format != FormatTag)
            throw new InvalidDataException($"{path}: not a Feynman byte language model (metadata 'format' is {(format is null ? "missing" : $"'{format}'")}, expected '{FormatTag}').");
        string[] labels;
        LanguageModelOptions options;
        try
        {
            labels = JsonSerializer.Deserialize<string[]>(Required(meta, "labels", path)) ?? [];
            options = new LanguageModelOptions
            {
                ContextLength = int.Parse(Required(meta, "context_length", path), CultureInfo.InvariantCulture),
                EmbedDim = int.Parse(Required(meta, "embed_dim", path), CultureInfo.InvariantCulture),
                Heads = int.Parse(Required(meta, "heads", path), CultureInfo.InvariantCulture),
                Layers = int.Parse(Required(meta, "layers", path), CultureInfo.InvariantCulture),
                FeedForwardDim = int.Parse(Required(meta, "feed_forward_dim", path), CultureInfo.InvariantCulture),
                Dropout = double.Parse(Required(meta, "dropout", path), CultureInfo.InvariantCulture),
            };
        }
        catch (Exception ex) when (ex is FormatException or JsonException or OverflowException)
        {
            throw new InvalidDataException($"{path}: unreadable language model metadata: {ex.Message}", ex);
        }
        var model = new ByteLanguageModel(labels, options);
        try
        {
            ModuleSerialization.Load(model, path);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.Eval();
        return model;
    }

    private static string Required(IReadOnlyDictionary<string, string> meta, string key, string path) =>
        meta.TryGetValue(key, out var value) ? value : throw new InvalidDataException($"{path}: language model metadata '{key}' is missing.");

    protected override string ExtraRepr() =>
        $"classes={LabelNames.Count}, context={Options.ContextLength}, embed={Options.EmbedDim}, heads={Options.Heads}, layers={Options.Layers}, ff={Options.FeedForwardDim}";
}

using System.Text;

namespace Feynman.Text.Generation;

/// <summary>
/// The generator's vocabulary: the 256 byte values of the text's UTF-8 encoding, then four kinds of special
/// token. Bytes rather than characters or words because the vocabulary is then fixed and complete: any string
/// (mail with odd charsets, code, URLs) encodes losslessly with no vocabulary file to build, store or mismatch,
/// and the model stays small (about 260 rows instead of tens of thousands of words). The cost, about one extra
/// step per non-ASCII character, is small for mostly-ASCII mail.
/// </summary>
public static class ByteTokens
{
    /// <summary>End of an example: sampling stops when it is drawn.</summary>
    public const int Eos = 256;

    /// <summary>Start of an example's text, right after its class token.</summary>
    public const int Bos = 257;

    /// <summary>The class token of unlabelled training text (the corpus the generator learns language from).</summary>
    public const int Unlabelled = 258;

    /// <summary>The first class token: class i is <c>FirstClass + i</c>.</summary>
    public const int FirstClass = 259;

    /// <summary>Vocabulary size for <paramref name="classes"/> classes.</summary>
    public static int VocabularySize(int classes) => FirstClass + classes;

    /// <summary>The token that conditions a sequence on <paramref name="label"/> (<see cref="TextExample.Unlabelled"/> gives <see cref="Unlabelled"/>).</summary>
    public static int ClassToken(int label, int classes)
    {
        if (label == TextExample.Unlabelled) return Unlabelled;
        if ((uint)label >= (uint)classes)
            throw new ArgumentOutOfRangeException(nameof(label), $"label {label} is outside [0, {classes}) and is not {TextExample.Unlabelled} (unlabelled).");
        return FirstClass + label;
    }

    /// <summary>The UTF-8 bytes of <paramref name="text"/>.</summary>
    public static byte[] Encode(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>
    /// Text from sampled bytes: invalid UTF-8 (a sampled sequence can break a multi-byte character) is dropped
    /// rather than kept as U+FFFD, so generated examples hold only characters the model actually completed.
    /// </summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        return text.Contains('\uFFFD') ? text.Replace("\uFFFD", "", StringComparison.Ordinal) : text;
    }
}

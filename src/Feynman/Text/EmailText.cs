using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Feynman.Text;

/// <summary>
/// The readable text of a raw RFC 822 / MIME e-mail: the Subject (RFC 2047 encoded words decoded) and the
/// text of its text/plain and text/html parts (quoted-printable and base64 decoded, HTML tags stripped,
/// entities decoded), each decoded by its declared charset. Bytes that are not valid in the declared (or
/// an undeclared) charset fall back to Latin-1, which maps every byte to a character, so no message is
/// dropped and nothing throws on malformed input.
/// </summary>
public static partial class EmailText
{
    static EmailText() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private const int MaxDepth = 8;

    /// <summary>"Subject\n\nbody text".</summary>
    public static string Extract(ReadOnlySpan<byte> raw)
    {
        var (headers, bodyStart) = SplitHeaders(raw);
        var subject = DecodeEncodedWords(Header(headers, "subject") ?? "");
        var text = new StringBuilder();
        AppendPart(headers, raw[bodyStart..], text, 0);
        return subject.Length == 0 ? text.ToString().Trim() : subject.Trim() + "\n\n" + text.ToString().Trim();
    }

    /// <summary>The Subject header, decoded.</summary>
    public static string Subject(ReadOnlySpan<byte> raw) => DecodeEncodedWords(Header(SplitHeaders(raw).Headers, "subject") ?? "").Trim();

    private static void AppendPart(List<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> body, StringBuilder text, int depth)
    {
        var contentType = Header(headers, "content-type") ?? "text/plain";
        var mediaType = contentType.Split(';', 2)[0].Trim().ToLowerInvariant();
        if (mediaType.StartsWith("multipart/", StringComparison.Ordinal) && depth < MaxDepth && Parameter(contentType, "boundary") is { Length: > 0 } boundary)
        {
            foreach (var part in MultipartParts(body, boundary))
            {
                var (h, b) = SplitHeaders(part);
                AppendPart(h, part.AsSpan(b), text, depth + 1);
            }
            return;
        }
        if (mediaType == "message/rfc822" && depth < MaxDepth)
        {
            var (h, b) = SplitHeaders(body);
            AppendPart(h, body[b..], text, depth + 1);
            return;
        }
        // Text parts only; an absent or unparsable type counts as text/plain (RFC 2045 default).
        bool html = mediaType == "text/html";
        if (!html && mediaType != "text/plain" && mediaType.Contains('/', StringComparison.Ordinal)) return;
        var encoding = (Header(headers, "content-transfer-encoding") ?? "").Trim().ToLowerInvariant();
        byte[] bytes = encoding switch
        {
            "quoted-printable" => DecodeQuotedPrintable(body),
            "base64" => DecodeBase64(body),
            _ => body.ToArray(),
        };
        var decoded = Decode(bytes, Parameter(contentType, "charset"));
        if (html) decoded = StripHtml(decoded);
        if (text.Length > 0) text.Append('\n');
        text.Append(decoded);
    }

    /// <summary>Decodes by the declared charset when it is known and the bytes are valid in it, else UTF-8 when valid, else Latin-1.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string? charset)
    {
        if (charset is { Length: > 0 } && charset.All(char.IsAscii))
        {
            try
            {
                var declared = Encoding.GetEncoding(charset.Trim().Trim('"', '\'').TrimEnd('>', '\''), EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
                // us-ascii is often declared for 8-bit text: let UTF-8 or Latin-1 read it rather than fail.
                if (declared.CodePage != 20127) return declared.GetString(bytes);
            }
            catch (ArgumentException) { } // an unknown charset name, or bytes not valid in it (DecoderFallbackException)
        }
        try { return StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException) { return Encoding.Latin1.GetString(bytes); }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    private static (List<KeyValuePair<string, string>> Headers, int BodyStart) SplitHeaders(ReadOnlySpan<byte> raw)
    {
        int end = -1, bodyStart = raw.Length;
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] != '\n') continue;
            if (i + 1 < raw.Length && raw[i + 1] == '\n') { end = i; bodyStart = i + 2; break; }
            if (i + 2 < raw.Length && raw[i + 1] == '\r' && raw[i + 2] == '\n') { end = i; bodyStart = i + 3; break; }
        }
        if (end < 0) end = raw.Length;
        // Headers are ASCII by the RFC; Latin-1 keeps any 8-bit bytes as characters.
        var headerText = Encoding.Latin1.GetString(raw[..end]);
        var headers = new List<KeyValuePair<string, string>>();
        string? name = null;
        var value = new StringBuilder();
        foreach (var rawLine in headerText.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
            {
                if (name is not null) value.Append(' ').Append(line.Trim());
                continue;
            }
            if (name is not null) headers.Add(new(name, value.ToString()));
            name = null;
            value.Clear();
            int colon = line.IndexOf(':');
            if (colon <= 0 || line.StartsWith("From ", StringComparison.Ordinal)) continue; // mbox "From " line
            name = line[..colon].Trim().ToLowerInvariant();
            value.Append(line[(colon + 1)..].Trim());
        }
        if (name is not null) headers.Add(new(name, value.ToString()));
        return (headers, Math.Min(bodyStart, raw.Length));
    }

    private static string? Header(List<KeyValuePair<string, string>> headers, string name)
    {
        foreach (var (k, v) in headers)
            if (k == name) return v;
        return null;
    }

    private static string? Parameter(string headerValue, string name)
    {
        var m = Regex.Match(headerValue, ";\\s*" + name + "\\s*=\\s*(\"([^\"]*)\"|([^;\\s]+))", RegexOptions.IgnoreCase);
        return m.Success ? (m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value) : null;
    }

    private static List<byte[]> MultipartParts(ReadOnlySpan<byte> body, string boundary)
    {
        var parts = new List<byte[]>();
        var delimiter = Encoding.Latin1.GetBytes("--" + boundary);
        int start = -1, pos = 0;
        while (pos < body.Length)
        {
            int nl = body[pos..].IndexOf((byte)'\n');
            int lineEnd = nl < 0 ? body.Length : pos + nl;
            var line = body[pos..lineEnd];
            if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
            if (line.StartsWith(delimiter))
            {
                if (start >= 0) parts.Add(body[start..Math.Max(start, pos - 1)].ToArray());
                var rest = line[delimiter.Length..];
                if (rest.StartsWith("--"u8)) return parts; // closing delimiter
                start = Math.Min(lineEnd + 1, body.Length);
            }
            pos = lineEnd + 1;
        }
        if (start >= 0 && start < body.Length) parts.Add(body[start..].ToArray()); // unterminated last part
        return parts;
    }

    public static byte[] DecodeQuotedPrintable(ReadOnlySpan<byte> input)
    {
        var output = new byte[input.Length];
        int n = 0;
        for (int i = 0; i < input.Length; i++)
        {
            byte b = input[i];
            if (b != '=') { output[n++] = b; continue; }
            if (i + 1 < input.Length && input[i + 1] == '\n') { i += 1; continue; } // soft line break
            if (i + 2 < input.Length && input[i + 1] == '\r' && input[i + 2] == '\n') { i += 2; continue; }
            if (i + 2 < input.Length && HexValue(input[i + 1]) is int hi and >= 0 && HexValue(input[i + 2]) is int lo and >= 0)
            {
                output[n++] = (byte)(hi * 16 + lo);
                i += 2;
                continue;
            }
            output[n++] = b; // a lone '=' stays as it is
        }
        return output[..n];
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => -1,
    };

    public static byte[] DecodeBase64(ReadOnlySpan<byte> input)
    {
        // Keep only base64 characters (padding is re-added), so line breaks and stray bytes do not stop decoding.
        var clean = new char[input.Length];
        int n = 0;
        foreach (byte b in input)
            if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'+' or (byte)'/')
                clean[n++] = (char)b;
        if (n % 4 == 1) n--; // a lone trailing character carries no whole byte
        var chars = new string(clean, 0, n) + new string('=', (4 - n % 4) % 4);
        try { return Convert.FromBase64String(chars); }
        catch (FormatException) { return input.ToArray(); }
    }

    private static string DecodeEncodedWords(string value) =>
        EncodedWord().Replace(value, m =>
        {
            try
            {
                var charset = m.Groups[1].Value;
                var payload = m.Groups[3].Value;
                byte[] bytes = m.Groups[2].Value.Equals("b", StringComparison.OrdinalIgnoreCase)
                    ? DecodeBase64(Encoding.ASCII.GetBytes(payload))
                    : DecodeQuotedPrintable(Encoding.Latin1.GetBytes(payload.Replace('_', ' ')));
                return Decode(bytes, charset);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException)
            {
                return m.Value;
            }
        });

    /// <summary>Text of an HTML fragment: scripts and styles dropped, tags removed, block tags as line breaks, entities decoded.</summary>
    public static string StripHtml(string html)
    {
        var s = ScriptOrStyle().Replace(html, " ");
        s = Comment().Replace(s, " ");
        s = BlockTag().Replace(s, "\n");
        s = Tag().Replace(s, " ");
        s = WebUtility.HtmlDecode(s);
        return Spaces().Replace(s, " ");
    }

    [GeneratedRegex(@"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")]
    private static partial Regex EncodedWord();

    [GeneratedRegex(@"<(script|style)\b[^>]*>.*?</\1\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex ScriptOrStyle();

    [GeneratedRegex(@"<!--.*?-->", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"<\s*/?\s*(br|p|div|tr|li|h[1-6]|table|td)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockTag();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"[ \t\u00a0]+")]
    private static partial Regex Spaces();
}

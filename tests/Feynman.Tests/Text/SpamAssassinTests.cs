using System.Text;
using Feynman.Text;

namespace Feynman.Tests.Text;

public sealed class SpamAssassinTests
{
    private static readonly Lazy<TextDataset> Corpus = new(() => SpamAssassin.Load());

    [Fact]
    public void LoadsAllMessagesWithTheirGroupsAndLabels()
    {
        var data = Corpus.Value;
        Assert.Equal(6046, data.Count);
        var groups = data.GroupCounts();
        Assert.Equal(3900, groups["easy-ham-1"] + groups["easy-ham-2"]);
        Assert.Equal(250, groups["hard-ham-1"]);
        Assert.Equal(1896, groups["spam-1"] + groups["spam-2"]);
        Assert.Equal([4150, 1896], data.LabelCounts());
        Assert.Equal(["ham", "spam"], data.LabelNames);
        Assert.All(data.Examples, e => Assert.False(string.IsNullOrWhiteSpace(e.Text), e.Id));
    }

    [Fact]
    public void NonUtf8MessagesAreDecodedNotDropped()
    {
        var data = Corpus.Value;
        // The package's own JSON copies hold U+FFFD for every byte of the ~500 non-UTF-8 files; decoding by charset keeps them.
        int replacement = data.Examples.Count(e => e.Text.Contains('\uFFFD'));
        Assert.True(replacement < 30, $"{replacement} messages still hold U+FFFD");
        int nonAscii = data.Examples.Count(e => e.Text.Any(c => c > 127));
        Assert.True(nonAscii > 300, $"only {nonAscii} messages have non-ASCII text");
    }

    [Fact]
    public void SplitKeepsHardHamInTheTestSet()
    {
        var (train, test) = TextSplit.Split(Corpus.Value, 0.2, seed: 1);
        Assert.Equal(50, test.Groups!.Count(g => g == "hard-ham-1"));
        Assert.Equal(200, train.Groups!.Count(g => g == "hard-ham-1"));
        Assert.Equal(6046, train.Count + test.Count);
    }

    [Fact]
    public void DecodesDeclaredCharsetsQuotedPrintableBase64AndHtml()
    {
        var latin1 = Encoding.Latin1.GetBytes("Subject: caf\u00e9\nContent-Type: text/plain; charset=iso-8859-1\n\nd\u00e9j\u00e0 vu\n");
        Assert.Equal("caf\u00e9\n\nd\u00e9j\u00e0 vu", EmailText.Extract(latin1));

        // Undeclared 8-bit bytes that are not UTF-8: Latin-1 keeps every byte.
        var raw = new byte[] { (byte)'S', (byte)':', (byte)'x', (byte)'\n', (byte)'\n', 0xff, 0xfe, (byte)'a' };
        Assert.Equal("\u00ff\u00fea", EmailText.Extract(raw));

        var mime = Encoding.ASCII.GetBytes(
            "Subject: =?utf-8?B?SGVsbG8gV29ybGQ=?=\nContent-Type: multipart/alternative; boundary=\"XX\"\n\npreamble\n" +
            "--XX\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nPrice: 5=E2=82=AC =\nonly\n" +
            "--XX\nContent-Type: text/html\nContent-Transfer-Encoding: base64\n\n" + Convert.ToBase64String(Encoding.UTF8.GetBytes("<p>Click <b>here</b> &amp; win</p><script>x()</script>")) + "\n" +
            "--XX\nContent-Type: image/gif\n\nGIF89a\n--XX--\n");
        var text = EmailText.Extract(mime);
        Assert.StartsWith("Hello World\n\n", text);
        Assert.Contains("Price: 5\u20ac only", text);
        Assert.Contains("Click here & win", text);
        Assert.DoesNotContain("GIF89a", text);
        Assert.DoesNotContain("x()", text);
        Assert.DoesNotContain("preamble", text);

        var gb = Encoding.GetEncoding("gb2312").GetBytes("\u4f60\u597d");
        Assert.Equal("\u4f60\u597d", EmailText.Decode(gb, "gb2312"));
    }
}

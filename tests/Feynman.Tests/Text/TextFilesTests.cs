using Feynman.Text;

namespace Feynman.Tests.Text;

public sealed class TextFilesTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "feynman-textfiles-" + Guid.NewGuid().ToString("N"));

    public TextFilesTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void JsonlMapsLabelsInFirstSeenOrderAndSkipsBlankLines()
    {
        var path = Write("a.jsonl", "{\"body\":\"win money\",\"kind\":\"spam\"}\n\n{\"body\":\"lunch?\",\"kind\":\"ham\"}\n{\"body\":\"x\",\"kind\":\"spam\"}\n");
        var data = TextFiles.Load(path, "body", "kind");
        Assert.Equal(["spam", "ham"], data.LabelNames);
        Assert.Equal([0, 1, 0], data.Examples.Select(e => e.Label));
        Assert.Equal("lunch?", data[1].Text);
        Assert.Equal("a.jsonl:3", data[1].Id);
    }

    [Fact]
    public void GivenLabelOrderIsKeptAndNumericLabelsAreRead()
    {
        var path = Write("b.jsonl", "{\"t\":\"a\",\"y\":1}\n{\"t\":\"b\",\"y\":0}\n");
        var data = TextFiles.LoadJsonl(path, "t", "y", ["0", "1"]);
        Assert.Equal([1, 0], data.Examples.Select(e => e.Label));
        var bad = Write("c.jsonl", "{\"t\":\"a\",\"y\":2}\n");
        var ex = Assert.Throws<InvalidDataException>(() => TextFiles.LoadJsonl(bad, "t", "y", ["0", "1"]));
        Assert.Contains("c.jsonl:1", ex.Message);
        Assert.Contains("'2'", ex.Message);
    }

    [Fact]
    public void JsonlErrorsNameFileLineAndField()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => TextFiles.LoadJsonl(Path.Combine(dir, "none.jsonl"), "t", "y"));
        Assert.Contains("none.jsonl", missing.Message);

        var malformed = Write("m.jsonl", "{\"t\":\"a\",\"y\":\"p\"}\n{\"t\": oops}\n");
        var ex = Assert.Throws<InvalidDataException>(() => TextFiles.LoadJsonl(malformed, "t", "y"));
        Assert.Contains("m.jsonl:2", ex.Message);

        var noField = Write("f.jsonl", "{\"t\":\"a\",\"y\":\"p\"}\n{\"text\":\"a\",\"y\":\"p\"}\n");
        ex = Assert.Throws<InvalidDataException>(() => TextFiles.LoadJsonl(noField, "t", "y"));
        Assert.Contains("f.jsonl:2", ex.Message);
        Assert.Contains("'t'", ex.Message);

        var array = Write("arr.jsonl", "[1,2]\n");
        ex = Assert.Throws<InvalidDataException>(() => TextFiles.LoadJsonl(array, "t", "y"));
        Assert.Contains("arr.jsonl:1", ex.Message);
    }

    [Fact]
    public void CsvReadsQuotedFieldsWithCommasQuotesAndNewlines()
    {
        var path = Write("d.csv", "id,text,label\n1,\"hello, \"\"world\"\"\nsecond line\",ham\r\n2,plain,spam\n");
        var data = TextFiles.Load(path, "text", "label");
        Assert.Equal(2, data.Count);
        Assert.Equal("hello, \"world\"\nsecond line", data[0].Text);
        Assert.Equal(["ham", "spam"], data.LabelNames);
        Assert.Equal("d.csv:4", data[1].Id); // the first record spans lines 2-3
    }

    [Fact]
    public void CsvErrorsNameFileLineAndField()
    {
        var noColumn = Write("e.csv", "text,kind\na,b\n");
        var ex = Assert.Throws<InvalidDataException>(() => TextFiles.LoadCsv(noColumn, "text", "label"));
        Assert.Contains("e.csv:1", ex.Message);
        Assert.Contains("'label'", ex.Message);

        var wrongCount = Write("g.csv", "text,label\na,b\nc\n");
        ex = Assert.Throws<InvalidDataException>(() => TextFiles.LoadCsv(wrongCount, "text", "label"));
        Assert.Contains("g.csv:3", ex.Message);

        var unclosed = Write("h.csv", "text,label\n\"open,b\n");
        ex = Assert.Throws<InvalidDataException>(() => TextFiles.LoadCsv(unclosed, "text", "label"));
        Assert.Contains("h.csv:2", ex.Message);

        Assert.Throws<FileNotFoundException>(() => TextFiles.LoadCsv(Path.Combine(dir, "none.csv"), "text", "label"));
    }

    [Fact]
    public void StratifiedSplitIsSeededAndKeepsEveryGroupOnBothSides()
    {
        var examples = Enumerable.Range(0, 100).Select(i => new TextExample($"x{i}", $"text {i}", i < 90 ? 0 : 1)).ToArray();
        var groups = examples.Select((e, i) => i < 80 ? "easy" : i < 90 ? "hard" : "spam").ToArray();
        var data = new TextDataset("d", ["ham", "spam"], examples, groups);
        var (train, test) = TextSplit.Split(data, 0.2, seed: 3);
        Assert.Equal(100, train.Count + test.Count);
        Assert.Equal(16, test.Groups!.Count(g => g == "easy"));
        Assert.Equal(2, test.Groups!.Count(g => g == "hard"));
        Assert.Equal(2, test.Groups!.Count(g => g == "spam"));
        Assert.Empty(train.Examples.Select(e => e.Id).Intersect(test.Examples.Select(e => e.Id)));
        var (_, again) = TextSplit.Split(data, 0.2, seed: 3);
        Assert.Equal(test.Examples.Select(e => e.Id), again.Examples.Select(e => e.Id));
        var (_, other) = TextSplit.Split(data, 0.2, seed: 4);
        Assert.NotEqual(test.Examples.Select(e => e.Id), other.Examples.Select(e => e.Id));
    }
}

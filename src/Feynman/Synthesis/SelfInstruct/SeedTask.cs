using System.Text.Json.Nodes;

namespace Feynman.Synthesis.SelfInstruct;

/// <summary>A task in yizhongw/self-instruct's seed_tasks.jsonl format (also read by the Alpaca pipeline).</summary>
public sealed record SeedTask(string Id, string Name, string Instruction, IReadOnlyList<TaskInstance> Instances, bool IsClassification)
{
    public static List<SeedTask> Load(string path)
    {
        var records = Storage.JsonRecords.Read(path);
        var tasks = new List<SeedTask>(records.Count);
        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            string Where(string field) => $"{path}: seed task {i + 1} ({r["id"]?.ToString() ?? "no id"}) has no {field}";
            var instruction = r["instruction"]?.GetValue<string>() ?? throw new InvalidDataException(Where("'instruction'"));
            var instances = (r["instances"] as JsonArray ?? throw new InvalidDataException(Where("'instances' array")))
                .Select(x => new TaskInstance(x?["input"]?.GetValue<string>() ?? "", x?["output"]?.GetValue<string>() ?? throw new InvalidDataException(Where("instance 'output'"))))
                .ToList();
            tasks.Add(new SeedTask(r["id"]?.ToString() ?? $"seed_task_{i}", r["name"]?.GetValue<string>() ?? "", instruction, instances,
                r["is_classification"]?.GetValue<bool>() ?? false));
        }
        if (tasks.Count == 0) throw new InvalidDataException($"{path}: no seed tasks.");
        return tasks;
    }
}

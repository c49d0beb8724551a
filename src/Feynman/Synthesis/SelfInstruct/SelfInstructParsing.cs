using System.Text.RegularExpressions;
using Feynman.Synthesis.Filters;

namespace Feynman.Synthesis.SelfInstruct;

/// <summary>Prompt building and response parsing of yizhongw/self-instruct, rule for rule.</summary>
public static class SelfInstructParsing
{
    /// <summary>bootstrap_instructions.py encode_prompt: the header, then "1. inst" ... and the open "k+1.".</summary>
    public static string EncodeBootstrapPrompt(string header, IReadOnlyList<string> instructions)
    {
        var sb = new System.Text.StringBuilder(header);
        for (int i = 0; i < instructions.Count; i++)
            sb.Append(i + 1).Append(". ").Append(InstructionRules.CollapseWhitespace(instructions[i]).TrimEnd(':')).Append('\n');
        sb.Append(instructions.Count + 1).Append('.');
        return sb.ToString();
    }

    /// <summary>
    /// post_process_gpt3_response: a response cut off by length yields nothing; otherwise split on "\n&lt;n&gt;. ",
    /// collapse whitespace, capitalize, and apply the heuristic rules. Returns every candidate with its rejection
    /// reason (null when it passes), so rejected ones keep their provenance.
    /// </summary>
    public static List<(string Instruction, string? Reason)> ParseInstructions(string text, bool finishedByLength)
    {
        var result = new List<(string, string?)>();
        if (finishedByLength)
        {
            result.Add((InstructionRules.CollapseWhitespace(text), "finish_reason_length"));
            return result;
        }
        foreach (var raw in Regex.Split(text, @"\n\d+\s?\. "))
        {
            var inst = InstructionRules.Capitalize(InstructionRules.CollapseWhitespace(raw));
            if (inst.Length == 0) continue;
            result.Add((inst, InstructionRules.Check(inst, InstructionRules.SelfInstructBlacklist)));
        }
        return result;
    }

    /// <summary>generate_instances.py: the task template (ending in "Task:") + " " + instruction + "\n".</summary>
    public static string EncodeInstancePrompt(string template, string instruction) => template.TrimEnd('\n') + " " + instruction.Trim() + "\n";

    /// <summary>identify_clf_or_not.py: the answer starts with "Yes".</summary>
    public static bool ParseIsClassification(string text) => text.Trim().StartsWith("yes", StringComparison.OrdinalIgnoreCase);

    /// <summary>prepare_for_finetuning.py parse_input_output.</summary>
    public static (string Input, string Output) ParseInputOutput(string text)
    {
        string input, output;
        if (Regex.IsMatch(text, @"Output\s*\d*\s*:"))
        {
            var parts = Regex.Split(text, @"Output\s*\d*\s*:");
            input = parts[0].Trim();
            output = parts[1].Trim();
        }
        else
        {
            input = "";
            output = text.Trim();
        }
        if (Regex.IsMatch(output, @"Input\s*\d*\s*:")) output = Regex.Split(output, @"Input\s*\d*\s*:")[0].Trim();
        input = Regex.Replace(input, @"^Input\s*\d*\s*:", "").Trim();
        return (input, output);
    }

    /// <summary>parse_instances_for_generation_task (input first).</summary>
    public static List<TaskInstance> ParseGenerationInstances(string text, bool finishedByLength, int maxInstances = 5)
    {
        var instances = new List<TaskInstance>();
        text = text.Trim();
        if (Regex.IsMatch(text, @"Example\s?\d*\.?"))
        {
            foreach (var part in Regex.Split(text, @"Example\s?\d*\.?").Select(p => p.Trim()).Where(p => p.Length > 0))
            {
                var (i, o) = ParseInputOutput(part);
                instances.Add(new TaskInstance(i.Trim(), o.Trim()));
            }
        }
        else if (Regex.IsMatch(text, @"Output\s*\d*\s*:"))
        {
            var (i, o) = ParseInputOutput(text);
            instances.Add(new TaskInstance(i.Trim(), o.Trim()));
        }
        else return instances;
        return Finish(instances, finishedByLength, maxInstances);
    }

    /// <summary>parse_instances_for_classification_task (output first: "Class label:" then the input).</summary>
    public static List<TaskInstance> ParseClassificationInstances(string text, bool finishedByLength, int maxInstances = 5)
    {
        var instances = new List<TaskInstance>();
        if (!text.Contains("Class label:", StringComparison.Ordinal)) return instances;
        foreach (var chunk in text.Split("Class label:").Skip(1))
        {
            var t = chunk.Trim();
            int nl = t.IndexOf('\n');
            string label = nl < 0 ? t.Trim() : t[..nl].Trim();
            string input = nl < 0 ? "" : t[(nl + 1)..].Trim();
            instances.Add(new TaskInstance(input, label));
        }
        return Finish(instances, finishedByLength, maxInstances);
    }

    private static List<TaskInstance> Finish(List<TaskInstance> instances, bool finishedByLength, int maxInstances)
    {
        // The last instance of a response cut off by length is likely truncated.
        if (finishedByLength && instances.Count > 0) instances.RemoveAt(instances.Count - 1);
        instances = FilterInvalid(instances);
        instances = FilterDuplicates(instances);
        return instances.Count > maxInstances ? instances.GetRange(0, maxInstances) : instances;
    }

    /// <summary>filter_invalid_instances: input equal to output, empty output, input or output ending in ':'.</summary>
    public static List<TaskInstance> FilterInvalid(List<TaskInstance> instances) =>
        instances.Where(x => x.Input != x.Output && x.Output != "" && !x.Input.Trim().EndsWith(':') && !x.Output.Trim().EndsWith(':')).ToList();

    /// <summary>
    /// filter_duplicate_instances: one non-empty input with two different outputs drops the whole task; then exact
    /// duplicates go (first occurrence kept, where the original's set() left the order arbitrary).
    /// </summary>
    public static List<TaskInstance> FilterDuplicates(List<TaskInstance> instances)
    {
        for (int i = 1; i < instances.Count; i++)
            for (int j = 0; j < i; j++)
                if (instances[i].Input != "" && instances[i].Input == instances[j].Input && instances[i].Output != instances[j].Output)
                    return [];
        return instances.Distinct().ToList();
    }
}

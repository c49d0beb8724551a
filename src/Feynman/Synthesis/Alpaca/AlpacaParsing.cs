using System.Text.RegularExpressions;
using Feynman.Synthesis.Filters;

namespace Feynman.Synthesis.Alpaca;

/// <summary>Prompt building and response parsing of tatsu-lab/stanford_alpaca generate_instruction.py.</summary>
public static class AlpacaParsing
{
    /// <summary>encode_prompt: prompt.txt, then each demonstration as "###\nk. Instruction: ...\nk. Input:\n...\nk. Output:\n...", then the open item.</summary>
    public static string EncodePrompt(string header, IReadOnlyList<AlpacaExample> demonstrations)
    {
        var sb = new System.Text.StringBuilder(header).Append('\n');
        for (int i = 0; i < demonstrations.Count; i++)
        {
            var d = demonstrations[i];
            string instruction = InstructionRules.CollapseWhitespace(d.Instruction).TrimEnd(':');
            string input = d.Input.ToLowerInvariant() == "" ? "<noinput>" : d.Input;
            sb.Append("###\n");
            sb.Append(i + 1).Append(". Instruction: ").Append(instruction).Append('\n');
            sb.Append(i + 1).Append(". Input:\n").Append(input).Append('\n');
            sb.Append(i + 1).Append(". Output:\n").Append(d.Output).Append('\n');
        }
        sb.Append("###\n");
        sb.Append(demonstrations.Count + 1).Append(". Instruction:");
        return sb.ToString();
    }

    /// <summary>
    /// post_process_gpt3_response: split on "###", drop the last piece when the response was cut off by length, split
    /// each piece into instruction/input/output by its number, "&lt;noinput&gt;" becomes empty, then the heuristic rules.
    /// Returns every candidate that could be parsed with its rejection reason (null when it passes); unparsable pieces
    /// come back with reason "unparsable" and the raw text as instruction.
    /// </summary>
    public static List<(AlpacaExample Example, string? Reason)> ParseResponse(string text, bool finishedByLength, int numPromptInstructions = 3)
    {
        var result = new List<(AlpacaExample, string?)>();
        string raw = $"{numPromptInstructions + 1}. Instruction:" + text;
        var pieces = raw.Split("###");
        for (int i = 0; i < pieces.Length; i++)
        {
            if (i == pieces.Length - 1 && finishedByLength)
            {
                result.Add((new AlpacaExample(pieces[i].Trim(), "", ""), "finish_reason_length"));
                continue;
            }
            int idx = i + numPromptInstructions + 1;
            var parts = Regex.Split(pieces[i], $@"{idx}\.\s+(Instruction|Input|Output):");
            if (parts.Length != 7)
            {
                if (pieces[i].Trim().Length > 0) result.Add((new AlpacaExample(pieces[i].Trim(), "", ""), "unparsable"));
                continue;
            }
            string inst = parts[2].Trim();
            string input = parts[4].Trim();
            input = input.ToLowerInvariant() == "<noinput>" ? "" : input;
            string output = parts[6].Trim();
            var ex = new AlpacaExample(inst, input, output);
            result.Add((ex, InstructionRules.Check(inst, InstructionRules.AlpacaBlacklist)));
        }
        return result;
    }

    /// <summary>The Alpaca supervised fine-tuning prompt (train.py PROMPT_DICT) for one example.</summary>
    public static string TrainingPrompt(AlpacaExample e, PromptTemplates templates) =>
        (e.Input.Length > 0 ? templates.Get("alpaca_train_prompt_input.txt") : templates.Get("alpaca_train_prompt_no_input.txt"))
            .Replace("{instruction}", e.Instruction).Replace("{input}", e.Input);
}

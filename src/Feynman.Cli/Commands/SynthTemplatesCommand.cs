using System.CommandLine;
using Feynman.Synthesis;

namespace Feynman.Cli.Commands;

/// <summary><c>feynman synth templates --out DIR</c>: writes the prompt templates for editing (pass DIR back with --templates).</summary>
public static class SynthTemplatesCommand
{
    public static Command Build()
    {
        var output = new Option<string>("--out") { Description = "Folder to write the templates to.", Required = true };
        var cmd = new Command("templates", "Write the Self-Instruct and Alpaca prompt templates to a folder, to edit and pass back with --templates.") { output };
        cmd.SetAction(parse =>
        {
            PromptTemplates.Export(parse.GetValue(output)!);
            Console.WriteLine($"wrote {PromptTemplates.Names.Length} templates to {parse.GetValue(output)}");
            return 0;
        });
        return cmd;
    }
}

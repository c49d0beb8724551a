using Feynman.Cli;

return await FeynmanCommand.Build().Parse(args).InvokeAsync();

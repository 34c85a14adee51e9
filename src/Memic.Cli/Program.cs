using Memic.Cli;

return await MemicCommandLine.RunAsync(args);

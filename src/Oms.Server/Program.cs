using Oms.Server.Cli;

return await OmsCommandLine.RunAsync(args).ConfigureAwait(false);

using Tessera.Server.Cli;

return await TesseraCli.RunAsync(args);

/// <summary>Visible to the end-to-end tests, which start the real server in-process on loopback.</summary>
public partial class Program;

using Kyperian.Api.Hosting;

// `replay alerts.jsonl [--settings file.json] [--out decisions.jsonl]` replays alerts without a server.
if (ReplayCommand.Handles(args))
{
    return await ReplayCommand.RunAsync(args, Console.Out, Console.Error);
}

var app = KyperianApplication.Create(args);
app.Run();

// The host may have set it: on Lambda, a broken Runtime API ends the process with 1.
return Environment.ExitCode;

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;

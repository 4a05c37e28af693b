using System.Diagnostics;

namespace Kyperian.Lambda.Tests;

/// <summary>The Kyperian app as a real process (dotnet Kyperian.Api.dll), as the managed runtime starts it.</summary>
public sealed class ProcessTests
{
    [Fact]
    public async Task A_process_failing_before_the_host_starts_reports_init_error_and_exits_non_zero()
    {
        await using var runtime = await FakeRuntimeApi.StartAsync();

        // Production without a passphrase: options validation throws out of Main.
        var (exitCode, _) = await RunApiAsync(runtime, new()
        {
            ["Kyperian__Role"] = "api",
            ["Kyperian__Operator__ApiKey"] = "process-test-key",
        });

        var init = await runtime.InitError.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotEqual(0, exitCode);
        Assert.Equal("OptionsValidationException", init.Json.GetProperty("errorType").GetString());
        Assert.Contains("Kyperian:Webhook:Passphrase is required", init.Json.GetProperty("errorMessage").GetString());
        Assert.Equal("application/vnd.aws.lambda.error+json", init.ContentType);
        Assert.Equal(0, runtime.NextCalls);
    }

    [Fact]
    public async Task A_real_process_answers_an_invocation_and_exits_1_when_next_fails()
    {
        await using var runtime = await FakeRuntimeApi.StartAsync();
        var answer = runtime.InvokeAsync(Events.RestApi("health/live", change: e =>
        {
            e["queryStringParameters"] = null;
            e["multiValueQueryStringParameters"] = null;
        }));
        runtime.FailNextPoll(500);

        var (exitCode, _) = await RunApiAsync(runtime, new()
        {
            ["Kyperian__Role"] = "api",
            ["Kyperian__Webhook__Passphrase"] = "process-test-passphrase",
            ["Kyperian__Operator__ApiKey"] = "process-test-key",
        });

        var live = await answer;
        Assert.Equal(200, live.StatusCode());
        Assert.Equal("live", live.BodyText());
        Assert.Equal(1, exitCode);
    }

    private static async Task<(int ExitCode, string Output)> RunApiAsync(FakeRuntimeApi runtime, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Kyperian.Api.dll"));
        start.Environment["AWS_LAMBDA_RUNTIME_API"] = runtime.Address;
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Kyperian__Embedded__Path"] = ":memory:";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The app did not exit: " + await stdout + await stderr);
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}

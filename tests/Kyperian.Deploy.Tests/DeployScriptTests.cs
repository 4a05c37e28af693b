using System.Diagnostics;

namespace Kyperian.Deploy.Tests;

/// <summary>deploy.sh against a stand-in `aws` on PATH that records its calls and keeps SSM parameters in files.</summary>
public sealed class DeployScriptTests : IDisposable
{
    private const string FakeAws = """
        #!/usr/bin/env bash
        # Stand-in for the AWS CLI: logs each call, stores SSM parameters as files, answers stack outputs.
        set -euo pipefail
        state=${FAKE_AWS_STATE:?}
        printf '%s\n' "$*" >>"$state/calls"
        arg() { local want=$1; shift; while [ $# -gt 0 ]; do if [ "$1" = "$want" ]; then echo "$2"; return; fi; shift; done; }
        case "$1 $2" in
          "sts get-caller-identity") echo 123456789012 ;;
          "configure get") echo us-east-1 ;;
          "ssm get-parameter")
            file="$state/ssm$(arg --name "$@")"
            [ -f "$file" ] || { echo "An error occurred (ParameterNotFound)" >&2; exit 254; }
            if printf '%s\n' "$@" | grep -qx -- --with-decryption; then cat "$file"; else arg --name "$@"; fi ;;
          "ssm put-parameter")
            file="$state/ssm$(arg --name "$@")"
            mkdir -p "$(dirname "$file")"
            printf '%s' "$(arg --value "$@")" >"$file"
            printf '%s' "$(arg --type "$@")" >"$file.type" ;;
          "cloudformation describe-stacks")
            case "$(arg --query "$@")" in
              *WebhookUrl*) echo "https://abc123.execute-api.us-east-1.amazonaws.com/dev/webhook" ;;
              *DashboardUrl*) echo "https://us-east-1.console.aws.amazon.com/cloudwatch/home#dashboards:name=kyperian-dev-main" ;;
              *) echo None ;;
            esac ;;
          *) : ;;
        esac
        """;

    private readonly string _state = Path.Combine(Path.GetTempPath(), "kyperian-fake-aws-" + Guid.NewGuid().ToString("N"));
    private readonly string _bin;

    public DeployScriptTests()
    {
        _bin = Path.Combine(_state, "bin");
        Directory.CreateDirectory(_bin);
        var aws = Path.Combine(_bin, "aws");
        File.WriteAllText(aws, FakeAws.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(aws, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public async Task The_script_parses()
    {
        var (code, _, error) = await RunAsync("bash", "-n", Repo.PathOf("deploy.sh"));
        Assert.True(code == 0, error);
    }

    [Theory]
    [InlineData("qa", "deploy")]
    [InlineData("dev", "launch")]
    public async Task Unknown_environments_and_verbs_are_refused(string environment, string verb)
    {
        var (code, _, error) = await RunAsync(Repo.PathOf("deploy.sh"), environment, verb);
        Assert.NotEqual(0, code);
        Assert.Contains("deploy.sh:", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_state, "calls")), "no AWS call for a refused command");
    }

    [Fact]
    public async Task Secrets_creates_the_three_SecureStrings_once_and_keeps_them_after()
    {
        var (code, output, error) = await RunAsync(Repo.PathOf("deploy.sh"), "dev", "secrets");
        Assert.True(code == 0, output + error);
        foreach (var name in new[] { "webhook/passphrase", "operator/api-key", "redis/password" })
        {
            var file = Path.Combine(_state, "ssm", "kyperian", "dev", name);
            Assert.Equal("SecureString", File.ReadAllText(file + ".type"));
            Assert.Matches("^[0-9a-f]{64}$", File.ReadAllText(file));
        }

        var passphrase = File.ReadAllText(Path.Combine(_state, "ssm", "kyperian", "dev", "webhook", "passphrase"));
        (code, output, _) = await RunAsync(Repo.PathOf("deploy.sh"), "dev", "secrets");
        Assert.Equal(0, code);
        Assert.Equal(3, output.Split('\n').Count(l => l.TrimStart().StartsWith("kept", StringComparison.Ordinal)));
        Assert.Equal(passphrase, File.ReadAllText(Path.Combine(_state, "ssm", "kyperian", "dev", "webhook", "passphrase")));
    }

    [Fact]
    public async Task Url_prints_the_webhook_and_an_alert_message_carrying_the_passphrase()
    {
        var (code, _, error) = await RunAsync(Repo.PathOf("deploy.sh"), "dev", "secrets");
        Assert.True(code == 0, error);
        var passphrase = File.ReadAllText(Path.Combine(_state, "ssm", "kyperian", "dev", "webhook", "passphrase"));

        (code, var output, error) = await RunAsync(Repo.PathOf("deploy.sh"), "dev", "url");

        Assert.True(code == 0, error);
        Assert.Contains("https://abc123.execute-api.us-east-1.amazonaws.com/dev/webhook", output, StringComparison.Ordinal);
        Assert.Contains("{\"passphrase\":\"" + passphrase + "\",\"symbol\":\"{{ticker}}\",", output, StringComparison.Ordinal);
        Assert.Contains("\"timeframe\":\"{{interval}}\"", output, StringComparison.Ordinal);
        Assert.Contains("?token=" + passphrase, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stack_refuses_to_deploy_without_the_Lambda_bundle()
    {
        var bundle = Repo.PathOf("artifacts/lambda/Kyperian.Api.dll");
        if (File.Exists(bundle))
        {
            return; // a developer's own publish is there: nothing to check without deploying
        }

        var (code, _, error) = await RunAsync(Repo.PathOf("deploy.sh"), "dev", "stack");
        Assert.NotEqual(0, code);
        Assert.Contains("artifacts/lambda", error, StringComparison.Ordinal);
        Assert.DoesNotContain("cloudformation deploy", File.ReadAllText(Path.Combine(_state, "calls")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_deploy_verb_runs_secrets_build_image_stack_and_url_in_that_order()
    {
        var script = Repo.Read("deploy.sh");
        var deploy = script[script.IndexOf("  deploy)\n", StringComparison.Ordinal)..];
        deploy = deploy[..deploy.IndexOf(";;", StringComparison.Ordinal)];
        var order = new[] { "cmd_secrets", "cmd_build", "cmd_image", "cmd_stack", "cmd_url" }.Select(s => deploy.IndexOf(s, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, order);
        Assert.Equal(order.Order(), order);
        Assert.Contains("--capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND", script, StringComparison.Ordinal);
        Assert.Contains("--template-file \"$template\"", script, StringComparison.Ordinal);
        Assert.Contains("template=" + CfnTemplate.RelativePath, script, StringComparison.Ordinal);
        Assert.Contains("-f Dockerfile.engine", script, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Output, string Error)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Repo.Root,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["PATH"] = _bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        start.Environment["FAKE_AWS_STATE"] = _state;
        start.Environment["AWS_REGION"] = "us-east-1";
        foreach (var key in new[] { "AWS_PROFILE", "KYPERIAN_PASSPHRASE", "KYPERIAN_OPERATOR_KEY", "KYPERIAN_ROTATE", "ENGINE_IMAGE_URI" })
        {
            start.Environment.Remove(key);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}

using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Kyperian.Deploy.Tests;

/// <summary>deploy.sh against a stand-in `aws` on PATH that records its calls and keeps SSM parameters in files.</summary>
public sealed class DeployScriptTests : IDisposable
{
    private const string FakeDigest = "sha256:3f1c0e5a9b7d2c4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e";

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
          "ecr describe-images") echo "sha256:3f1c0e5a9b7d2c4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e" ;;
          "cloudformation describe-stacks")
            case "$(arg --query "$@")" in
              *WebhookUrl*) echo "https://abc123.execute-api.us-east-1.amazonaws.com/dev/webhook" ;;
              *DashboardUrl*) echo "https://us-east-1.console.aws.amazon.com/cloudwatch/home#dashboards:name=kyperian-dev-main" ;;
              *) echo None ;;
            esac ;;
          *) : ;;
        esac
        """;

    /// <summary>Stand-in for Docker: logs each call, reads what a login pipes in, builds and pushes nothing.</summary>
    private const string FakeDocker = """
        #!/usr/bin/env bash
        set -euo pipefail
        printf '%s\n' "$*" >>"${FAKE_AWS_STATE:?}/docker-calls"
        if [ "${1:-}" = login ]; then cat >/dev/null; fi
        """;

    private readonly string _state = Path.Combine(Path.GetTempPath(), "kyperian-fake-aws-" + Guid.NewGuid().ToString("N"));
    private readonly string _bin;

    public DeployScriptTests()
    {
        _bin = Path.Combine(_state, "bin");
        Directory.CreateDirectory(_bin);
        WriteExecutable(Path.Combine(_bin, "aws"), FakeAws);
        WriteExecutable(Path.Combine(_bin, "docker"), FakeDocker);
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

    [Fact]
    public async Task Image_records_the_image_it_pushed_by_digest_where_the_template_reads_it()
    {
        var (code, output, error) = await RunAsync(Repo.PathOf("deploy.sh"), "dev", "image");
        Assert.True(code == 0, output + error);

        var docker = File.ReadAllLines(Path.Combine(_state, "docker-calls"));
        Assert.Contains(docker, c => c.StartsWith("build --platform linux/amd64 -f Dockerfile.engine ", StringComparison.Ordinal));
        const string Repository = "123456789012.dkr.ecr.us-east-1.amazonaws.com/kyperian-dev-engine";
        Assert.Contains(docker, c => c.StartsWith("push " + Repository + ":", StringComparison.Ordinal) && !c.EndsWith(":latest", StringComparison.Ordinal));

        var record = Path.Combine(_state, "ssm", "kyperian", "dev", "deploy", "engine-image");
        Assert.Equal("String", File.ReadAllText(record + ".type"));
        Assert.Equal(Repository + "@" + FakeDigest, File.ReadAllText(record));

        // The template resolves that record on every deploy; its default is dev's, the environment the Lambda tools
        // defaults deploy.
        var parameter = CfnTemplate.Instance.Parameters["EngineImageParameter"]!;
        Assert.Equal("AWS::SSM::Parameter::Value<String>", (string?)parameter["Type"]);
        Assert.Equal("/kyperian/dev/deploy/engine-image", (string?)parameter["Default"]);
    }

    [Fact]
    public async Task Stack_sends_only_the_environment_and_the_image_record_and_refuses_without_an_image()
    {
        var root = StandInRepository();
        var (code, output, error) = await RunAsync(Path.Combine(root, "deploy.sh"), "dev", "secrets");
        Assert.True(code == 0, output + error);

        (code, _, error) = await RunAsync(Path.Combine(root, "deploy.sh"), "dev", "stack");
        Assert.NotEqual(0, code);
        Assert.Contains("/kyperian/dev/deploy/engine-image", error, StringComparison.Ordinal);
        Assert.Contains("./deploy.sh dev image", error, StringComparison.Ordinal);
        Assert.DoesNotContain(Calls(), c => c.StartsWith("cloudformation deploy ", StringComparison.Ordinal));

        const string Image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/kyperian-dev-engine@" + FakeDigest;
        (code, output, error) = await RunAsync(Path.Combine(root, "deploy.sh"), "dev", "stack", ("ENGINE_IMAGE_URI", Image), ("KYPERIAN_PARAMETERS", "EgressMode=VpcEndpoints"));
        Assert.True(code == 0, output + error);
        Assert.Equal(Image, File.ReadAllText(Path.Combine(_state, "ssm", "kyperian", "dev", "deploy", "engine-image")));

        // Parameters not named keep the stack's current values: only the environment, the image record and what the
        // caller asked for are sent.
        var deploy = Assert.Single(Calls(), c => c.StartsWith("cloudformation deploy ", StringComparison.Ordinal));
        var overrides = deploy[(deploy.IndexOf("--parameter-overrides ", StringComparison.Ordinal) + 22)..];
        overrides = overrides[..overrides.IndexOf(" --", StringComparison.Ordinal)];
        Assert.Equal(["Environment=dev", "EngineImageParameter=/kyperian/dev/deploy/engine-image", "EgressMode=VpcEndpoints"], overrides.Split(' '));
    }

    [Fact]
    public void Lambda_tools_send_only_the_environment_so_a_deploy_resets_nothing_set_earlier()
    {
        var defaults = JsonNode.Parse(Repo.Read("aws-lambda-tools-defaults.json"))!;
        Assert.Equal("Environment=dev", (string?)defaults["template-parameters"]);
        Assert.Equal("kyperian-dev", (string?)defaults["stack-name"]);

        // Sent or not, the image comes from dev's record; every other parameter has a default for the first create.
        Assert.Contains("/dev/", (string?)CfnTemplate.Instance.Parameters["EngineImageParameter"]!["Default"], StringComparison.Ordinal);
        Assert.All(CfnTemplate.Instance.Parameters, p => Assert.True(p.Value!["Default"] is not null, $"{p.Key}: no default"));
        Assert.Contains("#which-engine-image-rolls-out", Repo.Read("docs/DEPLOY.md"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Url_with_redaction_prints_the_webhook_but_not_the_passphrase()
    {
        var (code, _, error) = await RunAsync(Repo.PathOf("deploy.sh"), "dev", "secrets");
        Assert.True(code == 0, error);
        var passphrase = File.ReadAllText(Path.Combine(_state, "ssm", "kyperian", "dev", "webhook", "passphrase"));

        (code, var output, error) = await RunAsync(Repo.PathOf("deploy.sh"), "dev", "url", ("KYPERIAN_REDACT", "1"));

        Assert.True(code == 0, error);
        Assert.Contains("https://abc123.execute-api.us-east-1.amazonaws.com/dev/webhook", output, StringComparison.Ordinal);
        Assert.DoesNotContain(passphrase, output + error, StringComparison.Ordinal);
        Assert.Contains("/kyperian/dev/webhook/passphrase", output, StringComparison.Ordinal);
    }

    private static void WriteExecutable(string path, string script)
    {
        File.WriteAllText(path, script.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>deploy.sh and the template in a folder of their own, with a Lambda bundle, so `stack` can run.</summary>
    private string StandInRepository()
    {
        var root = Path.Combine(_state, "repository");
        Directory.CreateDirectory(Path.Combine(root, "templates"));
        Directory.CreateDirectory(Path.Combine(root, "artifacts", "lambda"));
        WriteExecutable(Path.Combine(root, "deploy.sh"), Repo.Read("deploy.sh"));
        File.Copy(Repo.PathOf(CfnTemplate.RelativePath), Path.Combine(root, "templates", "serverless.template"));
        File.WriteAllText(Path.Combine(root, "artifacts", "lambda", "Kyperian.Api.dll"), "stand-in");
        return root;
    }

    private string[] Calls() => File.ReadAllLines(Path.Combine(_state, "calls"));

    private Task<(int Code, string Output, string Error)> RunAsync(string file, params string[] args) =>
        RunAsync(file, args, []);

    private Task<(int Code, string Output, string Error)> RunAsync(string file, string environment, string verb, params (string Name, string Value)[] variables) =>
        RunAsync(file, [environment, verb], variables);

    private async Task<(int Code, string Output, string Error)> RunAsync(string file, string[] args, (string Name, string Value)[] variables)
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
        foreach (var key in new[] { "AWS_PROFILE", "KYPERIAN_PASSPHRASE", "KYPERIAN_OPERATOR_KEY", "KYPERIAN_ROTATE", "ENGINE_IMAGE_URI", "KYPERIAN_PARAMETERS", "KYPERIAN_REDACT", "ALERT_EMAIL", "KYPERIAN_ARTIFACT_BUCKET" })
        {
            start.Environment.Remove(key);
        }

        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
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

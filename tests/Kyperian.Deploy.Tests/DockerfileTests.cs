using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Kyperian.Deploy.Tests;

/// <summary>One Dockerfile instruction: keyword and arguments, continuation lines joined.</summary>
internal sealed record DockerInstruction(int Stage, string Keyword, string Arguments);

/// <summary>Dockerfile.engine checked without a Docker engine: stages, user, role, health check, and the publish it copies.</summary>
public partial class DockerfileTests
{
    private const string ApiProject = "src/Kyperian.Api/Kyperian.Api.csproj";

    private static readonly IReadOnlyList<DockerInstruction> Instructions = Parse(Repo.Read("Dockerfile.engine"));

    private static int FinalStage => Instructions.Max(i => i.Stage);

    [Fact]
    public void It_is_multi_stage_from_the_SDK_to_the_ASP_NET_runtime_both_pinned_to_one_release_of_the_target_framework()
    {
        var froms = Instructions.Where(i => i.Keyword == "FROM").Select(i => i.Arguments).ToList();
        Assert.Equal(2, froms.Count);
        var sdk = Regex.Match(froms[0], @"^--platform=\$BUILDPLATFORM mcr\.microsoft\.com/dotnet/sdk:(?<major>\d+)\.(?<minor>\d+)\.(?<band>\d)\d\d AS build$");
        Assert.True(sdk.Success, $"SDK stage: FROM {froms[0]}");
        var runtime = Regex.Match(froms[^1], @"^mcr\.microsoft\.com/dotnet/aspnet:(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)(\s|$)");
        Assert.True(runtime.Success, $"runtime stage: FROM {froms[^1]}");

        // The runtime stage is the target platform's image: no --platform of its own.
        Assert.DoesNotContain("--platform", froms[^1], StringComparison.Ordinal);

        // One major.minor for the SDK, the runtime and the framework the projects target.
        var framework = XDocument.Load(Repo.PathOf("Directory.Build.props")).Descendants("TargetFramework").Single().Value;
        Assert.Equal(framework, $"net{sdk.Groups["major"].Value}.{sdk.Groups["minor"].Value}");
        Assert.Equal(framework, $"net{runtime.Groups["major"].Value}.{runtime.Groups["minor"].Value}");
    }

    [Fact]
    public void The_build_stage_runs_on_the_build_platform_and_publishes_for_the_target_architecture()
    {
        var build = Instructions.Where(i => i.Stage == 0).ToList();
        var arg = build.FindIndex(i => i.Keyword == "ARG" && i.Arguments.Split('=')[0].Trim() == "TARGETARCH");
        var publish = build.FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal));
        Assert.True(arg >= 0 && arg < publish, "ARG TARGETARCH must be declared in the build stage before the publish");
        Assert.Matches(@"(^|\s)(-a|--arch) \$\{?TARGETARCH\}?(\s|$)", build[publish].Arguments);
        Assert.DoesNotMatch(@"(^|\s)(-r|--runtime)\s", build[publish].Arguments);

        // deploy.sh builds for the platform the task definition runs.
        var platform = CfnTemplate.Instance.Properties("EngineTaskDefinition")["RuntimePlatform"]!;
        Assert.Equal("X86_64", (string?)platform["CpuArchitecture"]);
        Assert.Contains("docker build --platform linux/amd64 ", Repo.Read("deploy.sh"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_final_stage_runs_as_a_non_root_user()
    {
        var user = Instructions.Last(i => i.Stage == FinalStage && i.Keyword == "USER").Arguments.Split(':')[0].Trim();
        Assert.DoesNotContain(user, new[] { "root", "0", "$APP_UID", "${APP_UID}" });
        Assert.Equal("app", user); // the unprivileged user (uid 1654) of the .NET 8+ images
        var userIndex = Instructions.ToList().FindLastIndex(i => i.Keyword == "USER");
        Assert.DoesNotContain(Instructions.Skip(userIndex + 1), i => i.Keyword == "USER");
    }

    [Fact]
    public void The_role_is_engine()
    {
        var env = Environment(FinalStage);
        Assert.Equal("engine", env["Kyperian__Role"]);
        Assert.Equal("8080", env["ASPNETCORE_HTTP_PORTS"]);
    }

    [Fact]
    public void The_health_check_asks_health_live_on_the_listening_port_and_matches_the_task_definition()
    {
        var check = Instructions.Single(i => i.Stage == FinalStage && i.Keyword == "HEALTHCHECK").Arguments;
        var json = check[(check.IndexOf("CMD", StringComparison.Ordinal) + 3)..].Trim();
        var command = JsonSerializer.Deserialize<string[]>(json)!;
        Assert.Equal("bash", command[0]);
        Assert.Contains("/dev/tcp/127.0.0.1/8080", command[2], StringComparison.Ordinal);
        Assert.Contains("GET /health/live HTTP/1.1", command[2], StringComparison.Ordinal);
        Assert.Contains("' 200 '", command[2], StringComparison.Ordinal);

        var container = CfnTemplate.Instance.Properties("EngineTaskDefinition")["ContainerDefinitions"]![0]!;
        var taskCheck = container["HealthCheck"]!["Command"]!.AsArray().Select(c => (string)c!).ToArray();
        Assert.Equal(["CMD", .. command], taskCheck);
        Assert.Equal(8080, (int)container["PortMappings"]![0]!["ContainerPort"]!);
    }

    [Fact]
    public void The_runtime_stage_copies_exactly_what_the_build_stage_publishes_and_runs_its_assembly()
    {
        var publish = Instructions.Single(i => i.Stage == 0 && i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal)).Arguments;
        Assert.Contains(ApiProject, publish, StringComparison.Ordinal);
        Assert.Contains("-c Release", publish, StringComparison.Ordinal);
        var output = Regex.Match(publish, @"(?:-o|--output)\s+(\S+)").Groups[1].Value;
        Assert.StartsWith("/", output, StringComparison.Ordinal);

        var copy = Instructions.Single(i => i.Stage == FinalStage && i.Keyword == "COPY").Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("--from=build", copy[0]);
        Assert.Equal(output.TrimEnd('/'), copy[1].TrimEnd('/'));

        var entrypoint = JsonSerializer.Deserialize<string[]>(Instructions.Single(i => i.Keyword == "ENTRYPOINT").Arguments)!;
        Assert.Equal(["dotnet", AssemblyName() + ".dll"], entrypoint);
    }

    [Fact]
    public void The_build_context_holds_every_file_the_build_stage_copies_and_every_project_the_Api_references()
    {
        var ignore = DockerIgnore();
        var sources = Instructions.Where(i => i.Stage == 0 && i.Keyword == "COPY")
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1])
            .ToList();
        Assert.Contains("src/", sources);
        foreach (var source in sources)
        {
            Assert.True(File.Exists(Repo.PathOf(source)) || Directory.Exists(Repo.PathOf(source)), $"COPY {source}: missing");
            Assert.False(ignore.IsMatch(source.TrimEnd('/') + "/x"), $"COPY {source}: excluded by .dockerignore");
        }

        // The projects the Api builds from must come in with src/, and not be ignored.
        foreach (var project in ProjectClosure(ApiProject))
        {
            var relative = Path.GetRelativePath(Repo.Root, project).Replace('\\', '/');
            Assert.StartsWith("src/", relative, StringComparison.Ordinal);
            Assert.False(ignore.IsMatch(relative), $"{relative} excluded by .dockerignore");
        }

        // Files MSBuild or NuGet would read from the root need a COPY of their own.
        foreach (var rootFile in new[] { "global.json", "nuget.config", "NuGet.Config", "Directory.Build.targets" })
        {
            if (File.Exists(Repo.PathOf(rootFile)))
            {
                Assert.Contains(rootFile, sources);
            }
        }

        Assert.Matches(ignore, "src/Kyperian.Api/bin/Release/x.dll");
        Assert.Matches(ignore, "tests/Kyperian.Api.Tests/x.cs");
    }

    [Fact]
    public async Task Publishing_the_Api_gives_the_assembly_the_entrypoint_runs()
    {
        // The Dockerfile's `dotnet publish` of the Api, minus the build this test run already did (--no-build).
        var output = Path.Combine(Path.GetTempPath(), "kyperian-publish-" + Guid.NewGuid().ToString("N"));
        try
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = Repo.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { "publish", ApiProject, "-c", Repo.Configuration, "--no-build", "--no-restore", "-o", output, "-p:UseAppHost=false", "-nodeReuse:false", "--disable-build-servers" })
            {
                start.ArgumentList.Add(arg);
            }

            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            {
                start.Environment.Remove(key);
            }

            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"dotnet publish failed:\n{await stdout}\n{await stderr}");

            var assembly = AssemblyName();
            Assert.True(File.Exists(Path.Combine(output, assembly + ".dll")), $"{assembly}.dll not published");
            Assert.True(File.Exists(Path.Combine(output, assembly + ".runtimeconfig.json")), "runtimeconfig.json not published");
            Assert.True(File.Exists(Path.Combine(output, assembly + ".deps.json")), "deps.json not published");
            Assert.True(File.Exists(Path.Combine(output, "appsettings.json")), "appsettings.json not published");
            Assert.Contains("Microsoft.AspNetCore.App", File.ReadAllText(Path.Combine(output, assembly + ".runtimeconfig.json")), StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    internal static string AssemblyName() =>
        XDocument.Load(Repo.PathOf(ApiProject)).Descendants("AssemblyName").Select(e => e.Value).FirstOrDefault() ?? "Kyperian.Api";

    internal static IReadOnlyList<DockerInstruction> Parse(string dockerfile)
    {
        var instructions = new List<DockerInstruction>();
        var stage = -1;
        var logical = new List<string>();
        foreach (var raw in dockerfile.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (logical.Count == 0 && (line.TrimStart().StartsWith('#') || string.IsNullOrWhiteSpace(line)))
            {
                continue;
            }

            if (line.TrimStart().StartsWith('#'))
            {
                continue; // a comment inside a continued instruction
            }

            var continued = line.EndsWith('\\');
            logical.Add(continued ? line[..^1] : line);
            if (continued)
            {
                continue;
            }

            var text = string.Join(' ', logical.Select(l => l.Trim())).Trim();
            logical.Clear();
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            var keyword = text[..space].ToUpperInvariant();
            if (keyword == "FROM")
            {
                stage++;
            }

            instructions.Add(new DockerInstruction(stage, keyword, text[(space + 1)..].Trim()));
        }

        return instructions;
    }

    private static Dictionary<string, string> Environment(int stage)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var instruction in Instructions.Where(i => i.Stage == stage && i.Keyword == "ENV"))
        {
            foreach (Match pair in Regex.Matches(instruction.Arguments, @"(\w+)=(\S+)"))
            {
                env[pair.Groups[1].Value] = pair.Groups[2].Value;
            }
        }

        return env;
    }

    private static IEnumerable<string> ProjectClosure(string relativeProject)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Repo.PathOf(relativeProject)]);
        while (pending.TryPop(out var project))
        {
            if (!seen.Add(project))
            {
                continue;
            }

            Assert.True(File.Exists(project), $"{project} is referenced but missing");
            foreach (var reference in XDocument.Load(project).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value.Replace('\\', '/');
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, include)));
            }
        }

        return seen;
    }

    /// <summary>.dockerignore as one regex (the subset of Go filepath.Match with ** that the file uses).</summary>
    private static Regex DockerIgnore()
    {
        var patterns = Repo.Read(".dockerignore").Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();
        Assert.DoesNotContain(patterns, p => p.StartsWith('!'));
        var alternatives = patterns.Select(p =>
        {
            var directory = p.EndsWith('/');
            var body = Regex.Escape(p.TrimEnd('/')).Replace(@"\*\*/", "(?:.*/)?", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal);
            return directory ? body + "/.*" : body + "(?:/.*)?";
        });
        return new Regex("^(?:" + string.Join('|', alternatives) + ")$");
    }
}

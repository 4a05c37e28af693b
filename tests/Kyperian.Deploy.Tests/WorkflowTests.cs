using System.Text.RegularExpressions;

namespace Kyperian.Deploy.Tests;

/// <summary>.github/workflows: CI runs scripts/test.sh on every push and pull request; deploys are manual, with OIDC.</summary>
public class WorkflowTests
{
    private static readonly Lazy<YamlOutline> Ci = new(() => YamlOutline.Parse(Repo.Read(".github/workflows/ci.yml")));

    private static readonly Lazy<YamlOutline> Deploy = new(() => YamlOutline.Parse(Repo.Read(".github/workflows/deploy.yml")));

    [Fact]
    public void The_outline_reads_keys_lists_block_scalars_and_comments_as_the_workflows_write_them()
    {
        var outline = YamlOutline.Parse("""
            # comment
            on:
              push:
            jobs:
              a:
                steps:
                  - uses: x@v1   # trailing
                    with:
                      k: "quoted"
                  - name: two
                    run: |
                      echo one
                      echo two
                  - plain
            """);
        Assert.Equal("", outline.Value("on.push"));
        Assert.Equal("x@v1", outline.Value("jobs.a.steps[0].uses"));
        Assert.Equal("quoted", outline.Value("jobs.a.steps[0].with.k"));
        Assert.Equal("echo one\necho two", outline.Value("jobs.a.steps[1].run"));
        Assert.Equal("plain", outline.Value("jobs.a.steps[2]"));
        Assert.Null(outline.Value("jobs.a.steps[3]"));
    }

    [Fact]
    public void CI_runs_the_test_script_on_every_push_and_pull_request()
    {
        var ci = Ci.Value;
        Assert.NotNull(ci.Value("on.push"));
        Assert.NotNull(ci.Value("on.pull_request"));
        Assert.Equal("", ci.Value("on.push")); // every branch: no branch filter
        Assert.Equal("", ci.Value("on.pull_request"));

        var runs = ci.Matching(@"^jobs\.\w+\.steps\[\d+\]\.run$").Select(r => r.Value).ToList();
        Assert.Contains(runs, r => Regex.IsMatch(r, @"(^|\s)(bash )?(\./)?scripts/test\.sh(\s|$)"));
        Assert.True(File.Exists(Repo.PathOf("scripts/test.sh")));
        Assert.Equal("read", ci.Value("permissions.contents"));
        Assert.DoesNotContain(ci.Entries, e => e.Value.Contains("secrets.", StringComparison.Ordinal));
    }

    [Fact]
    public void Deploy_is_manual_for_one_chosen_environment_and_runs_deploy_sh()
    {
        var deploy = Deploy.Value;
        Assert.Equal(["on.workflow_dispatch"], deploy.Matching(@"^on\.[^.]+$").Select(e => e.Path));
        Assert.Equal("choice", deploy.Value("on.workflow_dispatch.inputs.environment.type"));
        Assert.Equal("true", deploy.Value("on.workflow_dispatch.inputs.environment.required"));
        Assert.Equal(
            ["dev", "staging", "production"],
            deploy.Matching(@"^on\.workflow_dispatch\.inputs\.environment\.options\[\d+\]$").Select(e => e.Value));

        var job = Assert.Single(deploy.Matching(@"^jobs\.[^.]+$")).Path;
        var run = Assert.Single(deploy.Matching($@"^{Regex.Escape(job)}\.steps\[\d+\]\.run$"), e => e.Value.Contains("deploy.sh", StringComparison.Ordinal));
        var command = Regex.Match(run.Value, @"^\./deploy\.sh ""\$(?<variable>\w+)"" deploy$");
        Assert.True(command.Success, $"run: {run.Value}");

        // The environment comes from the input, through an environment variable (never pasted into the script).
        var step = run.Path[..run.Path.LastIndexOf('.')];
        Assert.Equal("${{ inputs.environment }}", deploy.Value($"{step}.env.{command.Groups["variable"].Value}"));
        Assert.Equal("${{ inputs.environment }}", deploy.Value($"{job}.environment"));
        Assert.Equal("1", deploy.Value($"{step}.env.KYPERIAN_REDACT"));
    }

    [Fact]
    public void Deploy_assumes_a_role_with_GitHubs_OIDC_token_and_holds_no_long_lived_keys()
    {
        var deploy = Deploy.Value;
        Assert.Equal("write", deploy.Value("permissions.id-token"));
        Assert.Equal("read", deploy.Value("permissions.contents"));

        var credentials = Assert.Single(deploy.Matching(@"\.steps\[\d+\]\.uses$"), e => e.Value.StartsWith("aws-actions/configure-aws-credentials@", StringComparison.Ordinal));
        Assert.Matches(@"@v[4-9]\d*$", credentials.Value);
        var step = credentials.Path[..credentials.Path.LastIndexOf('.')];
        Assert.False(string.IsNullOrWhiteSpace(deploy.Value($"{step}.with.role-to-assume")));
        Assert.False(string.IsNullOrWhiteSpace(deploy.Value($"{step}.with.aws-region")));

        // The credentials step comes before the deploy.
        var steps = deploy.Matching(@"\.steps\[\d+\]\.(uses|run)$").ToList();
        Assert.True(steps.FindIndex(e => e.Path == credentials.Path) < steps.FindIndex(e => e.Value.Contains("deploy.sh", StringComparison.Ordinal)));

        var text = Repo.Read(".github/workflows/deploy.yml");
        foreach (var key in new[] { "aws-access-key-id", "aws-secret-access-key", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "secrets." })
        {
            Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_workflows_build_with_the_SDK_the_engine_image_builds_with()
    {
        var sdk = Regex.Match(Repo.Read("Dockerfile.engine"), @"mcr\.microsoft\.com/dotnet/sdk:(\S+)").Groups[1].Value;
        Assert.NotEmpty(sdk);
        foreach (var workflow in new[] { Ci.Value, Deploy.Value })
        {
            var versions = workflow.Matching(@"\.with\.dotnet-version$").Select(e => e.Value).ToList();
            Assert.NotEmpty(versions);
            Assert.All(versions, v => Assert.Equal(sdk, v));
        }
    }
}

/// <summary>
/// The subset of YAML the workflow files use, flattened to (path, value): nested maps (<c>a.b</c>), block lists of
/// maps or scalars (<c>steps[0].uses</c>), literal block scalars (<c>run: |</c>), quoted scalars, comments. A key with
/// no value of its own has the value "".
/// </summary>
internal sealed class YamlOutline
{
    private YamlOutline(IReadOnlyList<(string Path, string Value)> entries) => Entries = entries;

    public IReadOnlyList<(string Path, string Value)> Entries { get; }

    public string? Value(string path) => Entries.Where(e => e.Path == path).Select(e => e.Value).FirstOrDefault();

    public IEnumerable<(string Path, string Value)> Matching(string pattern) => Entries.Where(e => Regex.IsMatch(e.Path, pattern));

    public static YamlOutline Parse(string yaml)
    {
        var entries = new List<(string, string)>();
        var open = new List<(int Indent, string Segment)>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = yaml.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var text = line.Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }

            var indent = line.Length - line.TrimStart().Length;
            while (open.Count > 0 && open[^1].Indent >= indent)
            {
                open.RemoveAt(open.Count - 1);
            }

            if (text == "-" || text.StartsWith("- ", StringComparison.Ordinal))
            {
                var list = PathOf(open);
                var index = counts.GetValueOrDefault(list);
                counts[list] = index + 1;
                open.Add((indent, $"[{index}]"));
                text = text[1..].TrimStart();
                indent += line.TrimStart().Length - text.Length; // the item's keys line up after "- "
                if (text.Length == 0)
                {
                    continue;
                }

                if (KeyEnd(text) < 0)
                {
                    entries.Add((PathOf(open), Scalar(text)));
                    continue;
                }
            }

            var colon = KeyEnd(text);
            if (colon < 0)
            {
                throw new FormatException($"line {i + 1}: neither a key nor a list item: {text}");
            }

            open.Add((indent, Scalar(text[..colon])));
            var value = text[(colon + 1)..].Trim();
            if (value is "|" or "|-" or ">" or ">-")
            {
                var block = new List<string>();
                var blockIndent = -1;
                while (i + 1 < lines.Length && (lines[i + 1].Trim().Length == 0 || lines[i + 1].Length - lines[i + 1].TrimStart().Length > indent))
                {
                    var next = lines[++i];
                    if (next.Trim().Length > 0 && blockIndent < 0)
                    {
                        blockIndent = next.Length - next.TrimStart().Length;
                    }

                    block.Add(next.Length >= blockIndent && blockIndent >= 0 ? next[blockIndent..] : next.Trim());
                }

                value = string.Join(value.StartsWith('>') ? " " : "\n", block).TrimEnd();
                entries.Add((PathOf(open), value));
                continue;
            }

            entries.Add((PathOf(open), Scalar(value)));
        }

        return new YamlOutline(entries);
    }

    private static string PathOf(List<(int Indent, string Segment)> open) =>
        string.Concat(open.Select((o, i) => i == 0 || o.Segment.StartsWith('[') ? o.Segment : "." + o.Segment));

    /// <summary>Where a mapping key ends: a plain or quoted key, then ":" and a space or the end of the line.</summary>
    private static int KeyEnd(string text)
    {
        if (text[0] is '"' or '\'')
        {
            var close = text.IndexOf(text[0], 1);
            return close > 0 && close + 1 < text.Length && text[close + 1] == ':' && (close + 2 == text.Length || text[close + 2] == ' ') ? close + 1 : -1;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || (colon + 1 < text.Length && text[colon + 1] != ' '))
        {
            return -1;
        }

        return text[..colon].Any(c => c is ' ' or '$' or '{' or '"' or '\'') ? -1 : colon;
    }

    private static string Scalar(string text)
    {
        text = text.Trim();
        if (text.Length >= 2 && (text[0] == '"' || text[0] == '\'') && text.IndexOf(text[0], 1) == text.Length - 1)
        {
            return text[1..^1];
        }

        var comment = text.IndexOf(" #", StringComparison.Ordinal);
        return (comment >= 0 ? text[..comment] : text).Trim();
    }
}

using System.Text;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Kyperian.Api.Application;
using Kyperian.Api.Infrastructure.Aws;
using Kyperian.Api.Infrastructure.Resilience;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Infrastructure.Ssm;

/// <summary><c>Kyperian:Ssm</c>: where the deployment's settings and secrets live in Parameter Store.</summary>
public sealed class SsmOptions
{
    public const string Section = "Kyperian:Ssm";

    public bool Enabled { get; set; }

    /// <summary>Empty: <c>/kyperian/{Kyperian:Environment}</c>.</summary>
    public string? Path { get; set; }

    public string? ServiceUrl { get; set; }

    public string? Region { get; set; }

    /// <summary>
    /// Parameters (relative to <see cref="Path"/>, comma-separated) whose absence stops the start, naming them.
    /// Default: the parameters the template writes and the secrets deploy.sh sets.
    /// </summary>
    public string Required { get; set; } =
        "redis/host,redis/port,dynamodb/signals-table,dynamodb/decisions-table,events/bus-name,webhook/passphrase,operator/api-key";
}

/// <summary>A required parameter is missing: the process must not start half-configured.</summary>
public sealed class MissingSsmParameterException(IReadOnlyList<string> names)
    : Exception($"Missing required SSM parameter{(names.Count == 1 ? "" : "s")}: {string.Join(", ", names)}")
{
    public IReadOnlyList<string> Names { get; } = names;
}

/// <summary>
/// Loads <c>/kyperian/{env}/...</c> with GetParametersByPath (recursive, SecureStrings decrypted, every page) into
/// configuration: <c>/kyperian/prod/redis/host</c> → <c>Kyperian:Redis:Host</c>, <c>/webhook/passphrase</c> →
/// <c>Kyperian:Webhook:Passphrase</c>, <c>/events/bus-name</c> → <c>Kyperian:EventBridge:BusName</c>. Values are never
/// logged; this provider's <see cref="ToString"/> names only the path.
/// </summary>
public sealed class SsmConfigurationProvider(
    Func<IAmazonSimpleSystemsManagement> clientFactory,
    string path,
    IReadOnlyList<string> required,
    ResiliencePipelines resilience) : ConfigurationProvider
{
    private static readonly Dictionary<string, string> SectionAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["events"] = "EventBridge",
        ["eventbridge"] = "EventBridge",
        ["dynamodb"] = "DynamoDb",
        ["sqs"] = "Sqs",
        ["ssm"] = "Ssm",
    };

    private readonly string _path = Normalize(path);

    public int LoadedCount { get; private set; }

    public override void Load() =>
        // Configuration loads synchronously; off any synchronization context the async SDK call cannot deadlock.
        Task.Run(() => LoadAsync(CancellationToken.None)).GetAwaiter().GetResult();

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var relativeNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using var client = clientFactory();
        string? nextToken = null;
        do
        {
            var page = await resilience.ExecuteAsync(
                Backend.Ssm,
                (s, ct) => new ValueTask<GetParametersByPathResponse>(s.client.GetParametersByPathAsync(
                    new GetParametersByPathRequest
                    {
                        Path = s.path,
                        Recursive = true,
                        WithDecryption = true,
                        MaxResults = 10,
                        NextToken = s.nextToken,
                    },
                    ct)),
                (client, path: _path, nextToken),
                cancellationToken);
            foreach (var parameter in page.Parameters ?? [])
            {
                if (Relative(parameter.Name) is not { } relative)
                {
                    continue;
                }

                relativeNames.Add(relative);
                data[ConfigurationKey(relative)] = parameter.Value;
            }

            nextToken = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
        }
        while (nextToken is not null);

        var missing = required.Where(r => !relativeNames.Contains(r.Trim('/'))).Select(r => _path + r.Trim('/')).ToList();
        if (missing.Count > 0)
        {
            throw new MissingSsmParameterException(missing);
        }

        LoadedCount = data.Count;
        Data = data;
    }

    /// <summary><c>redis/host</c> → <c>Kyperian:Redis:Host</c>; <c>operator/api-key</c> → <c>Kyperian:Operator:ApiKey</c>.</summary>
    public static string ConfigurationKey(string relative)
    {
        var key = new StringBuilder("Kyperian");
        foreach (var segment in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            key.Append(':');
            if (SectionAliases.TryGetValue(segment, out var alias))
            {
                key.Append(alias);
                continue;
            }

            var upper = true;
            foreach (var c in segment)
            {
                if (c is '-' or '_' or '.')
                {
                    upper = true;
                    continue;
                }

                key.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }
        }

        return key.ToString();
    }

    public override string ToString() => $"SSM Parameter Store {_path} ({LoadedCount} keys)";

    private string? Relative(string name) =>
        name.StartsWith(_path, StringComparison.Ordinal) && name.Length > _path.Length ? name[_path.Length..] : null;

    private static string Normalize(string path) => "/" + path.Trim().Trim('/') + "/";
}

public sealed class SsmConfigurationSource(
    Func<IAmazonSimpleSystemsManagement> clientFactory,
    string path,
    IReadOnlyList<string> required,
    ResiliencePipelines resilience) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) =>
        new SsmConfigurationProvider(clientFactory, path, required, resilience);
}

public static class SsmConfigurationExtensions
{
    /// <summary>
    /// Adds Parameter Store as the last configuration source when <c>Kyperian:Ssm:Enabled</c> is true, loading it now:
    /// a missing required parameter or an unreachable SSM stops the start here, with the parameter's name.
    /// </summary>
    public static IConfigurationManager AddSsmConfiguration(
        this IConfigurationManager configuration,
        AwsCredentialsSource? credentials = null,
        ILoggerFactory? loggerFactory = null)
    {
        var settings = configuration.GetSection(SsmOptions.Section).Get<SsmOptions>() ?? new SsmOptions();
        if (!settings.Enabled)
        {
            return configuration;
        }

        var environment = KyperianOptions.From(configuration).Environment;
        var path = string.IsNullOrWhiteSpace(settings.Path) ? $"/kyperian/{environment}" : settings.Path;
        var required = settings.Required.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var resilienceOptions = configuration.GetSection(ResilienceOptions.Section).Get<ResilienceOptions>() ?? new ResilienceOptions();
        var resilience = new ResiliencePipelines(
            Options.Create(resilienceOptions),
            (loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger<ResiliencePipelines>());
        var explicitCredentials = (credentials ?? new AwsCredentialsSource()).Explicit;

        IAmazonSimpleSystemsManagement Client()
        {
            var config = AwsCredentialsSource.Configure(new AmazonSimpleSystemsManagementConfig(), settings.ServiceUrl, settings.Region);
            return explicitCredentials is null
                ? new AmazonSimpleSystemsManagementClient(config)
                : new AmazonSimpleSystemsManagementClient(explicitCredentials, config);
        }

        configuration.Add(new SsmConfigurationSource(Client, path, required, resilience));
        return configuration;
    }
}

using Kyperian.Api.Infrastructure.Aws;
using Kyperian.Api.Infrastructure.Ssm;
using Kyperian.Api.Tests.Servers;
using Microsoft.Extensions.Configuration;

namespace Kyperian.Api.Tests.Adapters;

/// <summary>Parameter Store as a configuration source, against the loopback protocol server.</summary>
public sealed class SsmConfigurationTests : IAsyncLifetime
{
    private readonly AwsProtocolServer _aws = new();

    public async Task InitializeAsync()
    {
        await _aws.InitializeAsync();
        var store = _aws.Ssm;
        store.Put("/kyperian/prod/redis/host", "kyperian.abc123.use1.cache.amazonaws.com");
        store.Put("/kyperian/prod/redis/port", "6380");
        store.Put("/kyperian/prod/dynamodb/signals-table", "kyperian-prod-signals");
        store.Put("/kyperian/prod/dynamodb/decisions-table", "kyperian-prod-decisions");
        store.Put("/kyperian/prod/events/bus-name", "kyperian-prod");
        store.Put("/kyperian/prod/sqs/queue-url", "https://sqs.us-east-1.amazonaws.com/123456789012/kyperian-prod-signals");
        store.Put("/kyperian/prod/webhook/passphrase", "tv-secret-123", "SecureString");
        store.Put("/kyperian/prod/operator/api-key", "op-key-456", "SecureString");
        store.Put("/kyperian/staging/redis/host", "staging-host");
    }

    public Task DisposeAsync() => _aws.DisposeAsync();

    private ConfigurationManager Configuration(params (string Key, string? Value)[] settings)
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kyperian:Ssm:Enabled"] = "true",
            ["Kyperian:Ssm:ServiceUrl"] = _aws.Url,
            ["Kyperian:Ssm:Region"] = SigV4Verifier.Region,
            ["Kyperian:Environment"] = "prod",
        });
        configuration.AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => s.Value));
        return configuration;
    }

    [Fact]
    public void Loads_every_page_decrypts_secure_strings_and_maps_the_keys()
    {
        var configuration = Configuration();
        configuration.AddSsmConfiguration(new AwsCredentialsSource(AdapterTestHost.Credentials));

        Assert.Equal("kyperian.abc123.use1.cache.amazonaws.com", configuration["Kyperian:Redis:Host"]);
        Assert.Equal("6380", configuration["Kyperian:Redis:Port"]);
        Assert.Equal("kyperian-prod-signals", configuration["Kyperian:DynamoDb:SignalsTable"]);
        Assert.Equal("kyperian-prod-decisions", configuration["Kyperian:DynamoDb:DecisionsTable"]);
        Assert.Equal("kyperian-prod", configuration["Kyperian:EventBridge:BusName"]);
        Assert.Equal("https://sqs.us-east-1.amazonaws.com/123456789012/kyperian-prod-signals", configuration["Kyperian:Sqs:QueueUrl"]);
        Assert.Equal("tv-secret-123", configuration["Kyperian:Webhook:Passphrase"]);
        Assert.Equal("op-key-456", configuration["Kyperian:Operator:ApiKey"]);
        Assert.Null(configuration["Kyperian:Redis:Host:staging"]);

        // 8 parameters at 3 a page: three calls, each signed.
        Assert.Equal(3, _aws.Ssm.Pages);
        Assert.All(_aws.Calls, c => Assert.Equal("AmazonSSM.GetParametersByPath", c));
        Assert.Empty(_aws.SignatureFailures);

        // What is said about the source names the path and a count, never a value.
        var provider = ((IConfigurationRoot)configuration).Providers.OfType<SsmConfigurationProvider>().Single();
        Assert.Equal("SSM Parameter Store /kyperian/prod/ (8 keys)", provider.ToString());
    }

    [Fact]
    public void A_missing_required_parameter_stops_the_start_naming_it()
    {
        var configuration = Configuration(("Kyperian:Environment", "staging"));
        var error = Assert.Throws<MissingSsmParameterException>(
            () => configuration.AddSsmConfiguration(new AwsCredentialsSource(AdapterTestHost.Credentials)));
        Assert.Contains("/kyperian/staging/webhook/passphrase", error.Names);
        Assert.Contains("/kyperian/staging/dynamodb/signals-table", error.Names);
        Assert.DoesNotContain("/kyperian/staging/redis/host", error.Names);
        Assert.Contains("/kyperian/staging/operator/api-key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_required_list_and_path_are_settings()
    {
        var configuration = Configuration(("Kyperian:Ssm:Path", "/kyperian/staging/"), ("Kyperian:Ssm:Required", "redis/host"));
        configuration.AddSsmConfiguration(new AwsCredentialsSource(AdapterTestHost.Credentials));
        Assert.Equal("staging-host", configuration["Kyperian:Redis:Host"]);
    }

    [Fact]
    public void Disabled_means_no_call()
    {
        var configuration = Configuration(("Kyperian:Ssm:Enabled", "false"));
        configuration.AddSsmConfiguration(new AwsCredentialsSource(AdapterTestHost.Credentials));
        Assert.Empty(_aws.Calls);
        Assert.Null(configuration["Kyperian:Redis:Host"]);
    }

    [Theory]
    [InlineData("redis/host", "Kyperian:Redis:Host")]
    [InlineData("webhook/passphrase", "Kyperian:Webhook:Passphrase")]
    [InlineData("operator/api-key", "Kyperian:Operator:ApiKey")]
    [InlineData("dynamodb/signals-table", "Kyperian:DynamoDb:SignalsTable")]
    [InlineData("events/bus-name", "Kyperian:EventBridge:BusName")]
    [InlineData("engine/min-confidence", "Kyperian:Engine:MinConfidence")]
    public void Parameter_names_map_to_configuration_keys(string relative, string key) =>
        Assert.Equal(key, SsmConfigurationProvider.ConfigurationKey(relative));
}

using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Options;

namespace Kyperian.Api.Infrastructure.DynamoDb;

/// <summary>
/// The tables' schema, for creating them where nothing else does: dynalite under <c>scripts/local-servers.sh</c> and in
/// the tests (<c>Kyperian:DynamoDb:CreateTables=true</c>). In AWS the template owns the tables (on-demand billing,
/// encryption, point-in-time recovery, TTL on <c>expiresAt</c>); this schema must match it.
/// </summary>
public static class DynamoDbTables
{
    public static async Task EnsureAsync(IAmazonDynamoDB client, DynamoDbOptions options, CancellationToken cancellationToken)
    {
        await EnsureTableAsync(client, SignalsTable(options.SignalsTable), cancellationToken);
        await EnsureTableAsync(client, DecisionsTable(options.DecisionsTable), cancellationToken);
        if (!string.Equals(options.RiskTableName, options.DecisionsTable, StringComparison.Ordinal))
        {
            await EnsureTableAsync(client, RiskTable(options.RiskTableName), cancellationToken);
        }

        await EnsureTableAsync(client, StatsTable(options.StatsTable), cancellationToken);
        await EnableTtlAsync(client, options.SignalsTable, cancellationToken);
        await EnableTtlAsync(client, options.StatsTable, cancellationToken);
    }

    public static CreateTableRequest SignalsTable(string name) => new()
    {
        TableName = name,
        BillingMode = BillingMode.PAY_PER_REQUEST,
        KeySchema = [new KeySchemaElement("signalId", KeyType.HASH)],
        AttributeDefinitions =
        [
            new AttributeDefinition("signalId", ScalarAttributeType.S),
            new AttributeDefinition("symbol", ScalarAttributeType.S),
            new AttributeDefinition("receivedAt", ScalarAttributeType.S),
            new AttributeDefinition("pendingShard", ScalarAttributeType.S),
        ],
        GlobalSecondaryIndexes =
        [
            Index(DynamoDbSignalStore.BySymbolIndex, "symbol", "receivedAt"),
            Index(DynamoDbSignalStore.PendingIndex, "pendingShard", "receivedAt"),
        ],
    };

    public static CreateTableRequest DecisionsTable(string name) => new()
    {
        TableName = name,
        BillingMode = BillingMode.PAY_PER_REQUEST,
        KeySchema = [new KeySchemaElement("decisionId", KeyType.HASH)],
        AttributeDefinitions =
        [
            new AttributeDefinition("decisionId", ScalarAttributeType.S),
            new AttributeDefinition("symbol", ScalarAttributeType.S),
            new AttributeDefinition("decidedAt", ScalarAttributeType.S),
            new AttributeDefinition("decidedMonth", ScalarAttributeType.S),
            new AttributeDefinition("decidedKey", ScalarAttributeType.S),
            new AttributeDefinition("outboxDue", ScalarAttributeType.S),
            new AttributeDefinition("dueAt", ScalarAttributeType.S),
            new AttributeDefinition("outboxStatus", ScalarAttributeType.S),
            new AttributeDefinition("outboxAt", ScalarAttributeType.S),
        ],
        GlobalSecondaryIndexes =
        [
            Index(DynamoDbDecisionStore.BySymbolIndex, "symbol", "decidedAt"),
            Index(DynamoDbDecisionStore.ByTimeIndex, "decidedMonth", "decidedKey"),

            // The notification outbox's sparse indexes (DynamoDbNotificationOutbox): due deliveries, and all by status.
            Index(DynamoDbNotificationOutbox.DueIndex, "outboxDue", "dueAt"),
            Index(DynamoDbNotificationOutbox.StatusIndex, "outboxStatus", "outboxAt"),
        ],
    };

    public static CreateTableRequest StatsTable(string name) => new()
    {
        TableName = name,
        BillingMode = BillingMode.PAY_PER_REQUEST,
        KeySchema = [new KeySchemaElement("hour", KeyType.HASH)],
        AttributeDefinitions = [new AttributeDefinition("hour", ScalarAttributeType.S)],
    };

    public static CreateTableRequest RiskTable(string name) => new()
    {
        TableName = name,
        BillingMode = BillingMode.PAY_PER_REQUEST,
        KeySchema = [new KeySchemaElement("decisionId", KeyType.HASH)],
        AttributeDefinitions = [new AttributeDefinition("decisionId", ScalarAttributeType.S)],
    };

    private static GlobalSecondaryIndex Index(string name, string hash, string range) => new()
    {
        IndexName = name,
        KeySchema = [new KeySchemaElement(hash, KeyType.HASH), new KeySchemaElement(range, KeyType.RANGE)],
        Projection = new Projection { ProjectionType = ProjectionType.ALL },
    };

    private static async Task EnsureTableAsync(IAmazonDynamoDB client, CreateTableRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await client.CreateTableAsync(request, cancellationToken);
        }
        catch (ResourceInUseException)
        {
            // Already there (or being created by another process): wait for it below.
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var table = await client.DescribeTableAsync(request.TableName, cancellationToken);
            var ready = table.Table.TableStatus == TableStatus.ACTIVE
                && (table.Table.GlobalSecondaryIndexes ?? []).All(i => i.IndexStatus == IndexStatus.ACTIVE);
            if (ready)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Table {request.TableName} did not become ACTIVE within 60 s.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static async Task EnableTtlAsync(IAmazonDynamoDB client, string table, CancellationToken cancellationToken)
    {
        try
        {
            await client.UpdateTimeToLiveAsync(
                new UpdateTimeToLiveRequest
                {
                    TableName = table,
                    TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = "expiresAt", Enabled = true },
                },
                cancellationToken);
        }
        catch (AmazonDynamoDBException ex) when (ex.ErrorCode is "UnknownOperationException" or "ValidationException")
        {
            // dynalite does not implement TTL (the attribute is still written), and AWS refuses enabling it twice.
        }
    }
}

/// <summary>Creates missing tables before the app serves, when <c>Kyperian:DynamoDb:CreateTables</c> is true.</summary>
internal sealed partial class DynamoDbTableInitializer(
    IAmazonDynamoDB client,
    IOptions<DynamoDbOptions> options,
    ILogger<DynamoDbTableInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.CreateTables)
        {
            return;
        }

        await DynamoDbTables.EnsureAsync(client, options.Value, cancellationToken);
        LogReady(logger, options.Value.SignalsTable, options.Value.DecisionsTable);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "DynamoDB tables ready: {Signals}, {Decisions}")]
    private static partial void LogReady(ILogger logger, string signals, string decisions);
}

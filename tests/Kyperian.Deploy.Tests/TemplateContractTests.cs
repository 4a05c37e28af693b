using System.Text.Json.Nodes;
using Kyperian.Api.Infrastructure.DynamoDb;

namespace Kyperian.Deploy.Tests;

/// <summary>The stack: parameters, function, API, data, bus, engine, outputs.</summary>
public class TemplateContractTests
{
    private static readonly CfnTemplate Template = CfnTemplate.Instance;

    public static TheoryData<string> RequiredOutputs() =>
    [
        "ApiUrl", "WebhookUrl", "MainDashboardUrl", "TradingDashboardUrl", "SignalQueueUrl", "SignalQueueName",
        "DeadLetterQueueName", "SignalsTableName", "DecisionsTableName", "RiskTableName", "StatsTableName", "EventBusName",
    ];

    [Fact]
    public void Environment_is_dev_staging_or_production_and_every_parameter_has_a_default_and_is_documented()
    {
        Assert.Equal(["dev", "staging", "production"], Template.Parameters["Environment"]!["AllowedValues"]!.AsArray().Select(v => (string)v!));
        var docs = Repo.Read("docs/DEPLOY.md");
        foreach (var (name, parameter) in Template.Parameters)
        {
            Assert.False(string.IsNullOrWhiteSpace((string?)parameter!["Description"]), $"{name}: Description");
            Assert.True(parameter["Default"] is not null || docs.Contains($"`{name}`", StringComparison.Ordinal), $"{name}: no default and not in docs/DEPLOY.md");
            Assert.Contains($"`{name}`", docs, StringComparison.Ordinal);
            if (parameter["AllowedValues"] is JsonArray allowed && parameter["Default"] is { } value)
            {
                Assert.Contains(value.ToJsonString(), allowed.Select(a => a!.ToJsonString()));
            }
        }
    }

    [Theory]
    [MemberData(nameof(RequiredOutputs))]
    public void The_outputs_operators_need_exist(string output)
    {
        Assert.NotNull(Template.Outputs[output]?["Value"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)Template.Outputs[output]!["Description"]));
    }

    [Fact]
    public void The_webhook_URL_is_the_API_stage_plus_webhook()
    {
        Assert.Equal(
            "https://${KyperianApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Environment}/webhook",
            (string?)Template.Outputs["WebhookUrl"]!["Value"]!["Fn::Sub"]);
        Assert.EndsWith("#dashboards:name=${MainDashboard}", (string?)Template.Outputs["MainDashboardUrl"]!["Value"]!["Fn::Sub"], StringComparison.Ordinal);
    }

    [Fact]
    public void The_function_runs_the_Api_assembly_on_dotnet10_with_the_asked_limits()
    {
        var f = Template.Properties("KyperianFunction");
        Assert.Equal("dotnet10", (string?)f["Runtime"]);
        Assert.Equal(DockerfileTests.AssemblyName(), (string?)f["Handler"]);
        Assert.Equal(512, (int)f["MemorySize"]!);
        Assert.Equal(10, (int)f["Timeout"]!);
        Assert.Equal("Active", (string?)f["Tracing"]);
        Assert.Equal("live", (string?)f["AutoPublishAlias"]);
        Assert.Equal("HasProvisionedConcurrency", (string?)f["ProvisionedConcurrencyConfig"]!["Fn::If"]![0]);
    }

    [Fact]
    public void The_function_is_created_only_once_the_network_and_every_parameter_it_loads_at_start_exist()
    {
        // A provisioned-concurrency init runs while the stack is still being created: whatever the app reads at start
        // must exist by then, or the create fails with FUNCTION_ERROR_INIT_FAILURE.
        var function = DependsOn("KyperianFunction");
        Assert.Contains("NetworkReady", function);
        Assert.Superset(DependsOn("EngineService"), function);

        var written = Template.ResourcesOfType("AWS::SSM::Parameter")
            .ToDictionary(p => ((string)p.Resource["Properties"]!["Name"]!["Fn::Sub"]!).Replace("/kyperian/${Environment}/", "", StringComparison.Ordinal), p => p.Id);
        Assert.All(written.Values, id => Assert.Contains(id, function));

        // The app's own list of parameters it refuses to start without: each is either written by the stack (and so
        // waited for) or a SecureString deploy.sh makes before the stack exists.
        var required = ((string)Repo.ApiType("SsmOptions").GetProperty("Required")!.GetValue(Activator.CreateInstance(Repo.ApiType("SsmOptions")))!)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(required);
        var secrets = Repo.DeployScriptSecrets();
        Assert.All(required, name => Assert.True(
            written.ContainsKey(name) || secrets.Contains(name),
            $"{name}: required at start, but neither written by the stack nor created by deploy.sh secrets"));
    }

    [Fact]
    public void Network_ready_means_a_route_from_the_private_subnets_to_the_AWS_APIs_in_either_egress_mode()
    {
        var waitsFor = Template.References().Where(r => r.Path.StartsWith("Resources/NetworkReady/", StringComparison.Ordinal)).Select(r => r.Target).ToHashSet();
        string[] kinds = ["AWS::EC2::SubnetRouteTableAssociation", "AWS::EC2::Route", "AWS::EC2::VPCEndpoint"];
        var paths = kinds.SelectMany(Template.ResourcesOfType).Select(r => r.Id).ToList();
        Assert.True(paths.Count >= 10, $"only {paths.Count} routes, associations and endpoints");
        Assert.All(paths, id => Assert.Contains(id, waitsFor));
    }

    [Fact]
    public void The_function_code_is_the_folder_deploy_sh_and_the_lambda_tools_defaults_produce_and_use()
    {
        var codeUri = (string)Template.Properties("KyperianFunction")["CodeUri"]!;
        var folder = Path.GetRelativePath(Repo.Root, Path.GetFullPath(Path.Combine(Repo.PathOf("templates"), codeUri))).Replace('\\', '/');
        Assert.Equal("artifacts/lambda", folder);
        Assert.Contains("lambda_dir=" + folder, Repo.Read("deploy.sh"), StringComparison.Ordinal);
        Assert.Contains("-o \"$lambda_dir\"", Repo.Read("deploy.sh"), StringComparison.Ordinal);

        var defaults = JsonNode.Parse(Repo.Read("aws-lambda-tools-defaults.json"))!;
        Assert.Equal(CfnTemplate.RelativePath, (string?)defaults["template"]);
        Assert.Equal("Release", (string?)defaults["configuration"]);
        Assert.Equal("net10.0", (string?)defaults["framework"]);
        Assert.Equal("kyperian-dev", (string?)defaults["stack-name"]);
        Assert.StartsWith("kyperian-dev", (string?)defaults["s3-prefix"], StringComparison.Ordinal);
        var parameters = ((string)defaults["template-parameters"]!).Split(';').Select(p => p.Split('=')[0]).ToList();
        Assert.Contains("Environment", parameters);
        Assert.All(parameters, p => Assert.True(Template.Parameters.ContainsKey(p), $"template-parameters: {p} is no template parameter"));
        Assert.Contains(defaults["Information"]!.AsArray(), line => ((string?)line)?.Contains("-o artifacts/lambda", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void The_function_and_the_engine_get_their_role_backends_and_parameter_store_path()
    {
        var function = Template.Properties("KyperianFunction")["Environment"]!["Variables"]!.AsObject()
            .ToDictionary(v => v.Key, v => v.Value!.ToJsonString().Trim('"'));
        var engine = Template.Properties("EngineTaskDefinition")["ContainerDefinitions"]![0]!["Environment"]!.AsArray()
            .ToDictionary(e => (string)e!["Name"]!, e => e!["Value"]!.ToJsonString().Trim('"'));

        var shared = new Dictionary<string, string>
        {
            ["Kyperian__Environment"] = """{"Ref":"Environment"}""",
            ["Kyperian__Store"] = "dynamodb",
            ["Kyperian__Bus"] = "eventbridge",
            ["Kyperian__State"] = "redis",
            ["Kyperian__Ssm__Enabled"] = "true",
            ["Kyperian__Ssm__Path"] = """{"Fn::Sub":"/kyperian/${Environment}"}""",
            ["Kyperian__Metrics__Emf"] = "true",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        foreach (var (key, value) in shared)
        {
            Assert.Equal(value, function[key]);
            Assert.Equal(value, engine[key]);
        }

        Assert.Equal("api", function["Kyperian__Role"]);
        Assert.Equal("RestApi", function["Kyperian__Lambda__EventSource"]);
        Assert.Equal("engine", engine["Kyperian__Role"]);
        Assert.Equal("""{"Ref":"SignalQueue"}""", engine["Kyperian__Sqs__QueueUrl"]);
    }

    [Fact]
    public void The_SSM_parameters_the_app_reads_are_written_and_the_secrets_are_read_from_the_same_path()
    {
        var names = Template.ResourcesOfType("AWS::SSM::Parameter")
            .Select(p => (string)p.Resource["Properties"]!["Name"]!["Fn::Sub"]!)
            .ToHashSet();
        foreach (var name in new[] { "redis/host", "redis/port", "redis/ssl", "dynamodb/signals-table", "dynamodb/decisions-table", "dynamodb/risk-table", "dynamodb/stats-table", "events/bus-name", "sqs/queue-url" })
        {
            Assert.Contains("/kyperian/${Environment}/" + name, names);
        }

        Assert.All(Template.ResourcesOfType("AWS::SSM::Parameter"), p => Assert.Equal("String", (string?)p.Resource["Properties"]!["Type"]));

        // SecureStrings: made by the operator (deploy.sh secrets), documented, never in the template as values.
        var script = Repo.Read("deploy.sh");
        var docs = Repo.Read("docs/DEPLOY.md");
        foreach (var secret in new[] { "webhook/passphrase", "operator/api-key", "redis/password" })
        {
            Assert.Contains(secret, script, StringComparison.Ordinal);
            Assert.Contains($"/kyperian/{{env}}/{secret}", docs, StringComparison.Ordinal);
            Assert.DoesNotContain("/kyperian/${Environment}/" + secret, names);
        }

        Assert.Contains("--type SecureString", script, StringComparison.Ordinal);
    }

    [Fact]
    public void The_tables_have_the_keys_indexes_and_TTL_the_app_reads()
    {
        var signals = Template.Properties("SignalsTable");
        Assert.Equal("kyperian-${Environment}-signals", (string?)signals["TableName"]!["Fn::Sub"]);
        Assert.Equal("signalId", HashKey(signals["KeySchema"]!));
        Assert.Equal(("symbol", "receivedAt"), IndexKeys(signals, "bySymbol"));
        Assert.Equal("expiresAt", (string?)signals["TimeToLiveSpecification"]!["AttributeName"]);
        Assert.True((bool?)signals["TimeToLiveSpecification"]!["Enabled"]);

        var decisions = Template.Properties("DecisionsTable");
        Assert.Equal("kyperian-${Environment}-decisions", (string?)decisions["TableName"]!["Fn::Sub"]);
        Assert.Equal("decisionId", HashKey(decisions["KeySchema"]!));
        Assert.Equal(("symbol", "decidedAt"), IndexKeys(decisions, "bySymbol"));
        Assert.Equal(("decidedMonth", "decidedKey"), IndexKeys(decisions, "byTime"));

        // GET /stats reads hourly counter items by key (DynamoDbActivityStats); they expire.
        var stats = Template.Properties("StatsTable");
        Assert.Equal("kyperian-${Environment}-stats", (string?)stats["TableName"]!["Fn::Sub"]);
        Assert.Equal("hour", HashKey(stats["KeySchema"]!));
        Assert.Equal("expiresAt", (string?)stats["TimeToLiveSpecification"]!["AttributeName"]);
        Assert.True((bool?)stats["TimeToLiveSpecification"]!["Enabled"]);

        // The notification outbox lives beside the decisions, with the sparse indexes DynamoDbNotificationOutbox queries.
        Assert.Equal(("outboxDue", "dueAt"), IndexKeys(decisions, DynamoDbNotificationOutbox.DueIndex));
        Assert.Equal(("outboxStatus", "outboxAt"), IndexKeys(decisions, DynamoDbNotificationOutbox.StatusIndex));
        var created = DynamoDbTables.DecisionsTable("t").GlobalSecondaryIndexes.Select(i => i.IndexName).Order(StringComparer.Ordinal);
        Assert.Equal(created, decisions["GlobalSecondaryIndexes"]!.AsArray().Select(i => (string)i!["IndexName"]!).Order(StringComparer.Ordinal));

        // The risk ledger (Kyperian:DynamoDb:RiskTable) is one item keyed like a decision (DynamoDbOptions.RiskTable).
        var risk = Template.Properties("RiskTable");
        Assert.Equal("kyperian-${Environment}-risk", (string?)risk["TableName"]!["Fn::Sub"]);
        Assert.Equal(HashKey(decisions["KeySchema"]!), HashKey(risk["KeySchema"]!));

        // CloudFormation wants exactly the key attributes defined.
        foreach (var (id, table) in Template.ResourcesOfType("AWS::DynamoDB::Table"))
        {
            var p = table["Properties"]!;
            var defined = p["AttributeDefinitions"]!.AsArray().Select(a => (string)a!["AttributeName"]!).Order().ToList();
            var keys = p["KeySchema"]!.AsArray()
                .Concat((p["GlobalSecondaryIndexes"]?.AsArray() ?? []).SelectMany(i => i!["KeySchema"]!.AsArray()))
                .Select(k => (string)k!["AttributeName"]!).Distinct().Order().ToList();
            Assert.True(defined.SequenceEqual(keys), $"{id}: AttributeDefinitions {string.Join(",", defined)} vs keys {string.Join(",", keys)}");
        }
    }

    [Fact]
    public void The_API_proxies_everything_to_the_function_on_a_stage_named_by_the_environment_with_logs_and_throttling()
    {
        var api = Template.Properties("KyperianApi");
        Assert.Equal("Environment", (string?)api["StageName"]!["Ref"]);
        Assert.Equal("REGIONAL", (string?)api["EndpointConfiguration"]!["Type"]);
        Assert.Equal("ApiAccessLogGroup", (string?)api["AccessLogSetting"]!["DestinationArn"]!["Fn::GetAtt"]![0]);
        Assert.DoesNotContain("querystring", ((string)api["AccessLogSetting"]!["Format"]!).ToLowerInvariant(), StringComparison.Ordinal);
        var throttle = api["MethodSettings"]![0]!;
        Assert.NotNull(throttle["ThrottlingRateLimit"]);
        Assert.NotNull(throttle["ThrottlingBurstLimit"]);

        var events = Template.Properties("KyperianFunction")["Events"]!.AsObject().Select(e => e.Value!["Properties"]!).ToList();
        Assert.Equal(["/", "/{proxy+}"], events.Select(e => (string)e["Path"]!).Order(StringComparer.Ordinal));
        Assert.All(events, e =>
        {
            Assert.Equal("ANY", (string?)e["Method"]);
            Assert.Equal("KyperianApi", (string?)e["RestApiId"]!["Ref"]);
        });
    }

    [Fact]
    public void The_API_hands_binary_bodies_over_as_bytes_and_logs_the_path_asked_for()
    {
        var api = Template.Properties("KyperianApi");

        // Swagger UI's gzip-compressed scripts and its PNGs: without a binary media type API Gateway turns them into
        // mangled UTF-8. "*~1*" is */* (SAM's escape for "/"); the function's request translation decodes base64 bodies.
        Assert.Contains("*~1*", api["BinaryMediaTypes"]!.AsArray().Select(t => (string)t!));

        // $context.resourcePath is "/{proxy+}" for every request the proxy route serves; $context.path is the real one.
        var format = (string)api["AccessLogSetting"]!["Format"]!;
        Assert.Equal("$context.path", (string?)JsonNode.Parse(format)!["path"]);
        Assert.DoesNotContain("$context.resourcePath", format, StringComparison.Ordinal);
    }

    [Fact]
    public void The_bus_rule_feeds_the_queue_whose_dead_letters_come_after_5_receives()
    {
        Assert.Equal("kyperian-${Environment}", (string?)Template.Properties("EventBus")["Name"]!["Fn::Sub"]);
        var rule = Template.Properties("SignalRule");
        Assert.Equal("EventBus", (string?)rule["EventBusName"]!["Ref"]);
        Assert.Equal("""["kyperian.webhook"]""", rule["EventPattern"]!["source"]!.ToJsonString());
        Assert.Equal("SignalQueue", (string?)rule["Targets"]![0]!["Arn"]!["Fn::GetAtt"]![0]);

        var redrive = Template.Properties("SignalQueue")["RedrivePolicy"]!;
        Assert.Equal(5, (int)redrive["maxReceiveCount"]!);
        Assert.Equal("SignalDeadLetterQueue", (string?)redrive["deadLetterTargetArn"]!["Fn::GetAtt"]![0]);

        var statement = Template.Properties("SignalQueuePolicy")["PolicyDocument"]!["Statement"]![0]!;
        Assert.Equal("events.amazonaws.com", (string?)statement["Principal"]!["Service"]);
        Assert.Equal("sqs:SendMessage", (string?)statement["Action"]);
        Assert.Equal("SignalRule", (string?)statement["Condition"]!["ArnEquals"]!["aws:SourceArn"]!["Fn::GetAtt"]![0]);
    }

    [Fact]
    public void The_engine_runs_on_Fargate_with_awslogs_and_scales_2_to_20_on_backlog_per_task()
    {
        var task = Template.Properties("EngineTaskDefinition");
        Assert.Equal(["FARGATE"], task["RequiresCompatibilities"]!.AsArray().Select(c => (string)c!));
        Assert.Equal("awsvpc", (string?)task["NetworkMode"]);
        var container = task["ContainerDefinitions"]![0]!;
        Assert.Equal("awslogs", (string?)container["LogConfiguration"]!["LogDriver"]);
        Assert.Equal("EngineImageParameter", (string?)container["Image"]!["Ref"]);

        Assert.Equal("FARGATE", (string?)Template.Properties("EngineService")["LaunchType"]);
        var target = Template.Properties("EngineScalableTarget");
        Assert.Equal(2, (int)Template.Parameters[(string)target["MinCapacity"]!["Ref"]!]!["Default"]!);
        Assert.Equal(20, (int)Template.Parameters[(string)target["MaxCapacity"]!["Ref"]!]!["Default"]!);
        Assert.Equal("ecs:service:DesiredCount", (string?)target["ScalableDimension"]);

        var policy = Template.Properties("EngineBacklogScalingPolicy");
        Assert.Equal("TargetTrackingScaling", (string?)policy["PolicyType"]);
        var queries = policy["TargetTrackingScalingPolicyConfiguration"]!["CustomizedMetricSpecification"]!["Metrics"]!.AsArray();
        var returned = Assert.Single(queries, q => (bool)q!["ReturnData"]!)!;
        Assert.StartsWith("backlog / ", (string?)returned["Expression"], StringComparison.Ordinal);
        Assert.Contains(queries, q => (string?)q!["MetricStat"]?["Metric"]?["MetricName"] == "ApproximateNumberOfMessagesVisible");
        Assert.Contains(queries, q => (string?)q!["MetricStat"]?["Metric"]?["MetricName"] == "RunningTaskCount");
        Assert.Equal("enabled", (string?)Template.Properties("EngineCluster")["ClusterSettings"]![0]!["Value"]);
    }

    [Fact]
    public void Alerts_go_to_an_SNS_topic_with_an_optional_email_subscription()
    {
        Assert.Equal("HasAlertEmail", Template.ConditionOf("AlertsEmailSubscription"));
        Assert.Equal("email", (string?)Template.Properties("AlertsEmailSubscription")["Protocol"]);
    }

    [Fact]
    public void Deliveries_run_in_the_engine_which_publishes_every_event_to_the_notifications_topic()
    {
        Assert.Equal("kyperian-${Environment}-notifications", (string?)Template.Properties("NotificationsTopic")["TopicName"]!["Fn::Sub"]);
        var environment = Template.Properties("EngineTaskDefinition")["ContainerDefinitions"]![0]!["Environment"]!.AsArray();
        var topic = environment.Single(e => (string?)e!["Name"] == "Kyperian__Notify__SnsTopicArn")!;
        Assert.Equal("NotificationsTopic", (string?)topic["Value"]!["Ref"]);
        Assert.Equal("engine", (string?)environment.Single(e => (string?)e!["Name"] == "Kyperian__Role")!["Value"]);

        var alarm = Template.Properties("NotificationsDeadLetteredAlarm");
        Assert.Equal("NotificationsDeadLettered", (string?)alarm["MetricName"]);
        Assert.Equal(0, (double)alarm["Threshold"]!);
        Assert.Equal("GreaterThanThreshold", (string?)alarm["ComparisonOperator"]);
        Assert.Equal("AlertsTopic", (string?)alarm["AlarmActions"]![0]!["Ref"]);
    }

    [Fact]
    public void The_egress_mode_swaps_the_NAT_gateway_for_VPC_endpoints()
    {
        Assert.Equal("UseNatGateway", Template.ConditionOf("NatGateway"));
        Assert.Equal("UseNatGateway", Template.ConditionOf("PrivateDefaultRoute"));
        var endpoints = Template.ResourcesOfType("AWS::EC2::VPCEndpoint").ToList();
        var interfaces = endpoints.Where(e => (string?)e.Resource["Properties"]!["VpcEndpointType"] == "Interface").ToList();
        Assert.All(interfaces, e => Assert.Equal("UseVpcEndpoints", Template.ConditionOf(e.Id)));
        var services = endpoints.Select(e => ((string)e.Resource["Properties"]!["ServiceName"]!["Fn::Sub"]!).Split('.').Skip(3)).Select(s => string.Join('.', s)).ToHashSet();
        Assert.Superset(new HashSet<string> { "dynamodb", "s3", "events", "ssm", "sqs", "sns", "ecr.api", "ecr.dkr", "logs" }, services);
        Assert.All(endpoints.Where(e => (string?)e.Resource["Properties"]!["VpcEndpointType"] == "Gateway"), e => Assert.Null(Template.ConditionOf(e.Id)));
    }

    private static HashSet<string> DependsOn(string id) => Template.Resource(id)["DependsOn"] switch
    {
        JsonArray many => many.Select(d => (string)d!).ToHashSet(StringComparer.Ordinal),
        JsonValue one => [(string)one!],
        _ => [],
    };

    private static string HashKey(JsonNode schema) =>
        (string)schema.AsArray().Single(k => (string?)k!["KeyType"] == "HASH")!["AttributeName"]!;

    private static (string Hash, string Range) IndexKeys(JsonNode table, string index)
    {
        var schema = table["GlobalSecondaryIndexes"]!.AsArray().Single(i => (string?)i!["IndexName"] == index)!["KeySchema"]!.AsArray();
        return (
            (string)schema.Single(k => (string?)k!["KeyType"] == "HASH")!["AttributeName"]!,
            (string)schema.Single(k => (string?)k!["KeyType"] == "RANGE")!["AttributeName"]!);
    }
}

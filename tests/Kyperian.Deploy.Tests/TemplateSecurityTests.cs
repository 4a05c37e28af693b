using System.Text.Json.Nodes;

namespace Kyperian.Deploy.Tests;

/// <summary>Least privilege, encryption and the edge: IAM statements, tables, WAF, security groups.</summary>
public partial class TemplateSecurityTests
{
    /// <summary>
    /// Actions that may be granted on <c>Resource: "*"</c>, each because the service offers no resource-level permission
    /// for it (the IAM service authorization reference lists no resource type).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> WildcardResourceActions = new Dictionary<string, string>
    {
        ["ecr:GetAuthorizationToken"] = "returns a registry login token for the account: no resource type",
        ["xray:PutTraceSegments"] = "X-Ray trace segments: no resource type",
        ["xray:PutTelemetryRecords"] = "X-Ray telemetry: no resource type",
        ["cloudwatch:PutMetricData"] = "custom metrics: no resource type (narrow with the cloudwatch:namespace condition)",
        ["ec2:CreateNetworkInterface"] = "a VPC Lambda creates its ENIs before they exist",
        ["ec2:DescribeNetworkInterfaces"] = "Describe* calls have no resource type",
        ["ec2:DeleteNetworkInterface"] = "a VPC Lambda removes the ENIs it created",
        ["ec2:AssignPrivateIpAddresses"] = "VPC Lambda ENIs",
        ["ec2:UnassignPrivateIpAddresses"] = "VPC Lambda ENIs",
    };

    /// <summary>AWS managed policies the template may attach, each with why (they cannot be inspected from here).</summary>
    public static readonly IReadOnlyDictionary<string, string> AllowedManagedPolicies = new Dictionary<string, string>
    {
        ["AmazonAPIGatewayPushToCloudWatchLogs"] = "the account-level role API Gateway needs to write access logs",
    };

    private static readonly CfnTemplate Template = CfnTemplate.Instance;

    [Fact]
    public void No_statement_allows_every_action_of_a_service_or_of_all()
    {
        var statements = AllStatements().ToList();
        Assert.True(statements.Count >= 8, $"only {statements.Count} statements found");
        foreach (var (where, statement) in statements.Where(s => IsAllow(s.Statement)))
        {
            Assert.Null(statement["NotAction"]);
            Assert.Null(statement["NotResource"]);
            foreach (var action in Strings(statement["Action"]))
            {
                Assert.False(action == "*" || action.EndsWith(":*", StringComparison.Ordinal), $"{where}: Action {action}");
            }
        }
    }

    [Fact]
    public void Resource_star_only_for_actions_that_have_no_resource_level_permission()
    {
        foreach (var (where, statement) in AllStatements().Where(s => IsAllow(s.Statement) && s.Statement["Principal"] is null))
        {
            var resources = Strings(statement["Resource"]).ToList();
            Assert.True(statement["Resource"] is not null, $"{where}: an identity statement needs Resource");
            if (resources.Contains("*"))
            {
                var actions = Strings(statement["Action"]).ToList();
                Assert.All(actions, a => Assert.True(WildcardResourceActions.ContainsKey(a), $"{where}: {a} on Resource *"));
            }
        }
    }

    [Fact]
    public void Resource_policies_name_a_service_principal_and_scope_it_to_this_stack()
    {
        // Queue, topic and bus policies (trust policies of roles are checked below).
        var resourcePolicies = AllStatements().Where(s => IsAllow(s.Statement) && s.Where.EndsWith("/PolicyDocument", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(resourcePolicies);
        foreach (var (where, statement) in resourcePolicies)
        {
            var principal = statement["Principal"]!;
            Assert.False(principal is JsonValue, $"{where}: Principal must not be \"*\"");
            Assert.Null(principal["AWS"]);
            Assert.NotNull(principal["Service"]);
            Assert.True(statement["Condition"] is not null, $"{where}: a service principal needs a source condition");
        }
    }

    [Fact]
    public void Roles_trust_one_service_to_assume_them()
    {
        var trusts = AllStatements().Where(s => s.Where.EndsWith("/AssumeRolePolicyDocument", StringComparison.Ordinal)).ToList();
        Assert.Equal(Template.ResourcesOfType("AWS::IAM::Role").Count(), trusts.Count);
        Assert.All(trusts, t =>
        {
            Assert.Equal("sts:AssumeRole", (string?)t.Statement["Action"]);
            Assert.IsAssignableFrom<JsonValue>(t.Statement["Principal"]!["Service"]);
            Assert.Null(t.Statement["Principal"]!["AWS"]);
        });
    }

    [Fact]
    public void Only_listed_managed_policies_and_no_SAM_policy_templates()
    {
        foreach (var (id, resource) in Template.ResourcesOfType("AWS::IAM::Role"))
        {
            foreach (var arn in resource["Properties"]!["ManagedPolicyArns"]?.AsArray() ?? [])
            {
                var text = arn!["Fn::Sub"] is { } sub ? (string)sub! : (string)arn!;
                var name = text[(text.LastIndexOf('/') + 1)..];
                Assert.True(AllowedManagedPolicies.ContainsKey(name), $"{id}: managed policy {text}");
            }
        }

        foreach (var (id, resource) in Template.ResourcesOfType("AWS::Serverless::Function"))
        {
            // Inline documents only, so that the checks above see every permission the function gets.
            var policies = resource["Properties"]!["Policies"]!.AsArray();
            Assert.All(policies, p => Assert.True(p is JsonObject o && o.ContainsKey("Statement"), $"{id}: Policies entry {p?.ToJsonString()}"));
        }
    }

    [Fact]
    public void The_function_and_the_engine_get_what_they_call_and_no_more()
    {
        var function = Actions(Template.Properties("KyperianFunction")["Policies"]!);
        var engine = Actions(Template.Properties("EngineTaskRole")["Policies"]!);
        string[] shared =
        [
            "events:PutEvents", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query",
            "ssm:GetParametersByPath", "kms:Decrypt",
        ];
        Assert.All(shared, a => Assert.Contains(a, function));
        Assert.All(shared, a => Assert.Contains(a, engine));
        Assert.All(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"], a => Assert.Contains(a, engine));
        Assert.DoesNotContain(function, a => a.StartsWith("sqs:", StringComparison.Ordinal));
        Assert.DoesNotContain(function.Concat(engine), a => a is "dynamodb:Scan" or "dynamodb:DeleteTable" or "dynamodb:CreateTable" or "ssm:PutParameter");
    }

    [Fact]
    public void The_function_may_publish_only_signals_and_the_engine_only_decisions_and_swept_signals()
    {
        var bus = Repo.ApiType("EventBridgeEventBus");
        var signalSource = (string)bus.GetField("SignalSource")!.GetRawConstantValue()!;
        var decisionSource = (string)bus.GetField("DecisionSource")!.GetRawConstantValue()!;

        var function = Assert.Single(RoleStatements("KyperianFunction"), s => Strings(s["Action"]).Contains("events:PutEvents"));
        Assert.Equal(["events:PutEvents"], Strings(function["Action"]));
        Assert.Equal("StringEquals", Assert.Single(function["Condition"]!.AsObject()).Key);
        Assert.Equal([signalSource], Strings(function["Condition"]!["StringEquals"]!["events:source"]));

        var engine = Assert.Single(RoleStatements("EngineTaskRole"), s => Strings(s["Action"]).Contains("events:PutEvents"));
        Assert.Equal(["events:PutEvents"], Strings(engine["Action"]));
        Assert.Equal("StringEquals", Assert.Single(engine["Condition"]!.AsObject()).Key);
        Assert.Equal(
            new[] { decisionSource, signalSource }.Order(StringComparer.Ordinal),
            Strings(engine["Condition"]!["StringEquals"]!["events:source"]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_function_writes_the_signals_the_risk_and_the_stats_table_and_only_appends_audit_and_risk_events_and_retries_outbox_items_in_the_decisions()
    {
        var statements = RoleStatements("KyperianFunction");
        var grants = TableGrants(statements);
        string[] writes = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:TransactWriteItems"];

        // The webhook stores signals; the operator endpoints (POST /risk/pnl, /halt, /resume, PUT /settings/engine) write
        // the ledger and settings items, and append the audit log and risk events beside the decisions; every process
        // adds its activity counts to the stats table, which GET /stats reads by key; POST /notifications/{id}/retry
        // updates an outbox item.
        Assert.Equal(
            ["DecisionsTable", "RiskTable", "SignalsTable", "StatsTable"],
            grants.Where(g => g.Value.Overlaps(writes)).Select(g => g.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], grants["DecisionsTable"].Order(StringComparer.Ordinal));
        Assert.Equal(["dynamodb:GetItem", "dynamodb:PutItem"], grants["RiskTable"].Order(StringComparer.Ordinal));
        Assert.Equal(["dynamodb:BatchGetItem", "dynamodb:UpdateItem"], grants["StatsTable"].Order(StringComparer.Ordinal));

        // Its writes to the decisions table are limited, by key: appends to the audit log and risk events
        // (DynamoDbAuditLog, DynamoDbRiskEventLog), updates to outbox items (ntf#).
        var decisionWrites = statements
            .Where(s => Strings(s["Action"]).Intersect(writes).Any() && Strings(s["Resource"]).Any(r => r.Contains("DecisionsTable", StringComparison.Ordinal)))
            .ToDictionary(s => string.Join(",", Strings(s["Action"]).Intersect(writes)), s => Strings(s["Condition"]!["ForAllValues:StringLike"]!["dynamodb:LeadingKeys"]).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(2, decisionWrites.Count);
        Assert.Equal(["audit#*", "riskevent#*"], decisionWrites["dynamodb:PutItem"]);
        Assert.Equal(["ntf#*"], decisionWrites["dynamodb:UpdateItem"]);

        // GET /signals and /decisions query by symbol, GET /decisions across symbols by time, GET /notifications the
        // outbox's status index; no other index, no Query on a table itself.
        var indexes = grants.Where(g => g.Key.Contains("/index/", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            ["DecisionsTable/index/bySymbol", "DecisionsTable/index/byTime", "DecisionsTable/index/outboxStatus", "SignalsTable/index/bySymbol"],
            indexes.Select(g => g.Key).Order(StringComparer.Ordinal));
        Assert.All(indexes, g => Assert.Equal(["dynamodb:Query"], g.Value));
        Assert.DoesNotContain(grants, g => !g.Key.Contains("/index/", StringComparison.Ordinal) && g.Value.Contains("dynamodb:Query"));
    }

    [Fact]
    public void Only_the_engine_publishes_notifications_and_only_to_the_notifications_topic()
    {
        var publishes = AllStatements().Where(s => Strings(s.Statement["Action"]).Any(a => a.StartsWith("sns:", StringComparison.Ordinal))).ToList();

        var publish = Assert.Single(publishes);
        Assert.StartsWith("Resources/EngineTaskRole/", publish.Where, StringComparison.Ordinal);
        Assert.Equal(["sns:Publish"], Strings(publish.Statement["Action"]));
        Assert.Equal("{\"Ref\":\"NotificationsTopic\"}", publish.Statement["Resource"]!.ToJsonString());
    }

    [Fact]
    public void Parameter_store_access_is_limited_to_this_environment_and_KMS_to_the_SSM_key()
    {
        foreach (var role in new[] { "KyperianFunction", "EngineTaskRole" })
        {
            var statements = AllStatements().Where(s => s.Where.StartsWith($"Resources/{role}/", StringComparison.Ordinal)).Select(s => s.Statement).ToList();
            var ssm = statements.Single(s => Strings(s["Action"]).Contains("ssm:GetParametersByPath"));
            Assert.All(Strings(ssm["Resource"]), r => Assert.Contains(":parameter/kyperian/${Environment}", r, StringComparison.Ordinal));
            var kms = statements.Single(s => Strings(s["Action"]).Contains("kms:Decrypt"));
            Assert.Equal("alias/aws/ssm", (string?)kms["Condition"]!["ForAnyValue:StringEquals"]!["kms:ResourceAliases"]);
            Assert.Contains("ssm.${AWS::Region}.amazonaws.com", kms["Condition"]!["StringEquals"]!["kms:ViaService"]!.ToJsonString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_table_is_on_demand_encrypted_with_point_in_time_recovery()
    {
        var tables = Template.ResourcesOfType("AWS::DynamoDB::Table").ToList();
        Assert.Equal(4, tables.Count);
        foreach (var (id, table) in tables)
        {
            var p = table["Properties"]!;
            Assert.True((string?)p["BillingMode"] == "PAY_PER_REQUEST", $"{id}: BillingMode");
            Assert.True((bool?)p["SSESpecification"]?["SSEEnabled"] == true, $"{id}: SSE");
            Assert.True((bool?)p["PointInTimeRecoverySpecification"]?["PointInTimeRecoveryEnabled"] == true, $"{id}: PITR");
            Assert.Null(p["ProvisionedThroughput"]);
        }
    }

    [Fact]
    public void Queues_and_cache_are_encrypted()
    {
        Assert.All(Template.ResourcesOfType("AWS::SQS::Queue"), q => Assert.True((bool?)q.Resource["Properties"]!["SqsManagedSseEnabled"] == true, q.Id));
        var redis = Template.Properties("RedisReplicationGroup");
        Assert.True((bool?)redis["AtRestEncryptionEnabled"]);
        Assert.True((bool?)redis["TransitEncryptionEnabled"]);
        Assert.Equal("{{resolve:ssm-secure:/kyperian/${Environment}/redis/password}}", (string?)redis["AuthToken"]!["Fn::Sub"]);
    }

    [Fact]
    public void WAF_has_the_per_IP_rate_rule_and_the_three_managed_groups_and_guards_the_stage()
    {
        var acl = Template.Properties("WebAcl");
        Assert.Equal("REGIONAL", (string?)acl["Scope"]);
        var rules = acl["Rules"]!.AsArray().Select(r => r!.AsObject()).ToList();
        Assert.Equal(rules.Count, rules.Select(r => (int)r["Priority"]!).Distinct().Count());

        var rate = rules.Single(r => (string?)r["Name"] == "RateLimitPerIp");
        var statement = rate["Statement"]!["RateBasedStatement"]!;
        Assert.Equal("IP", (string?)statement["AggregateKeyType"]);
        Assert.Equal(300, (int?)statement["EvaluationWindowSec"] ?? 300);
        Assert.Equal(1000, DefaultLimit(statement));
        Assert.NotNull(rate["Action"]!["Block"]);

        foreach (var group in new[] { "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesSQLiRuleSet" })
        {
            var rule = rules.Single(r => (string?)r["Statement"]!["ManagedRuleGroupStatement"]?["Name"] == group);
            Assert.Equal("AWS", (string?)rule["Statement"]!["ManagedRuleGroupStatement"]!["VendorName"]);
            Assert.NotNull(rule["OverrideAction"]!["None"]);
        }

        var association = Template.Properties("WebAclAssociation");
        Assert.Equal("WebAcl", (string?)association["WebACLArn"]!["Fn::GetAtt"]![0]);
        Assert.EndsWith("/restapis/${KyperianApi}/stages/${KyperianApi.Stage}", (string?)association["ResourceArn"]!["Fn::Sub"], StringComparison.Ordinal);
    }

    [Fact]
    public void WAF_does_not_count_TradingView_senders_against_the_per_IP_limit_but_gives_them_a_higher_one()
    {
        var rules = Template.Properties("WebAcl")["Rules"]!.AsArray().Select(r => r!.AsObject()).ToList();
        var rateRules = rules.Where(r => r["Statement"]!["RateBasedStatement"] is not null).ToList();
        Assert.Equal(2, rateRules.Count);

        // TradingView sends every alert from these four addresses: the set must be exactly the app's list.
        var app = (string[])Repo.ApiType("WebhookOptions").GetField("TradingViewAddresses")!.GetValue(null)!;
        Assert.Equal(["34.212.75.30", "52.32.178.7", "52.89.214.238", "54.218.53.128"], app.Order(StringComparer.Ordinal));
        var senders = Template.Properties("TradingViewSenders");
        Assert.Equal("REGIONAL", (string?)senders["Scope"]);
        Assert.Equal(app.Select(a => a + "/32").Order(StringComparer.Ordinal), senders["Addresses"]!.AsArray().Select(a => (string)a!).Order(StringComparer.Ordinal));

        // The per-IP rule leaves them out ...
        var perIp = rateRules.Single(r => (string?)r["Name"] == "RateLimitPerIp")["Statement"]!["RateBasedStatement"]!;
        Assert.Equal("TradingViewSenders", SetOf(perIp["ScopeDownStatement"]!["NotStatement"]!["Statement"]!));

        // ... and the other counts only them, per address, against a ceiling far above a bar-close burst (a trader
        // with 200 symbols on 5 timeframes fires 1,000 alerts at one close, possibly all from one address).
        var tradingView = rateRules.Single(r => (string?)r["Name"] != "RateLimitPerIp");
        var statement = tradingView["Statement"]!["RateBasedStatement"]!;
        Assert.Equal("TradingViewSenders", SetOf(statement["ScopeDownStatement"]!));
        Assert.Equal("IP", (string?)statement["AggregateKeyType"]);
        Assert.NotNull(tradingView["Action"]!["Block"]);
        Assert.True(DefaultLimit(statement) >= 5 * 1000 && DefaultLimit(statement) > DefaultLimit(perIp), $"TradingView limit {DefaultLimit(statement)}");

        var docs = Repo.Read("docs/DEPLOY.md");
        Assert.All(app, address => Assert.Contains(address, docs, StringComparison.Ordinal));
    }

    [Fact]
    public void Redis_accepts_6379_only_from_the_function_and_the_engine()
    {
        var redisGroup = Template.Properties("RedisSecurityGroup");
        Assert.Null(redisGroup["SecurityGroupIngress"]);
        var egress = Assert.Single(redisGroup["SecurityGroupEgress"]!.AsArray());
        Assert.Equal("127.0.0.1/32", (string?)egress!["CidrIp"]);

        var ingress = Template.ResourcesOfType("AWS::EC2::SecurityGroupIngress").Select(r => r.Resource["Properties"]!).ToList();
        var toRedis = ingress.Where(i => (string?)i["GroupId"]!["Ref"] == "RedisSecurityGroup").ToList();
        Assert.Equal(
            ["EngineSecurityGroup", "FunctionSecurityGroup"],
            toRedis.Select(i => (string)i["SourceSecurityGroupId"]!["Ref"]!).Order(StringComparer.Ordinal));
        Assert.All(toRedis, i =>
        {
            Assert.Equal(6379, (int)i["FromPort"]!);
            Assert.Equal(6379, (int)i["ToPort"]!);
            Assert.Equal("tcp", (string?)i["IpProtocol"]);
        });

        // Nothing may reach the function or the engine from outside.
        Assert.Null(Template.Properties("FunctionSecurityGroup")["SecurityGroupIngress"]);
        Assert.Null(Template.Properties("EngineSecurityGroup")["SecurityGroupIngress"]);
        Assert.DoesNotContain(ingress, i => (string?)i["GroupId"]!["Ref"] is "FunctionSecurityGroup" or "EngineSecurityGroup");
    }

    [Fact]
    public void Compute_and_cache_live_in_the_private_subnets()
    {
        string[] privateSubnets = ["PrivateSubnet1", "PrivateSubnet2"];
        Assert.Equal(privateSubnets, Refs(Template.Properties("KyperianFunction")["VpcConfig"]!["SubnetIds"]!));
        var awsvpc = Template.Properties("EngineService")["NetworkConfiguration"]!["AwsvpcConfiguration"]!;
        Assert.Equal(privateSubnets, Refs(awsvpc["Subnets"]!));
        Assert.Equal("DISABLED", (string?)awsvpc["AssignPublicIp"]);
        Assert.Equal(privateSubnets, Refs(Template.Properties("RedisSubnetGroup")["SubnetIds"]!));
        Assert.All(Template.ResourcesOfType("AWS::EC2::Subnet"), s => Assert.False((bool?)s.Resource["Properties"]!["MapPublicIpOnLaunch"] ?? false, s.Id));
    }

    internal static IEnumerable<(string Where, JsonObject Statement)> AllStatements()
    {
        foreach (var (id, node) in Template.Resources)
        {
            foreach (var (where, document) in PolicyDocuments(id, node!.AsObject()))
            {
                foreach (var statement in Statements(document))
                {
                    yield return (where, statement);
                }
            }
        }
    }

    private static int DefaultLimit(JsonNode rateBasedStatement) =>
        rateBasedStatement["Limit"]!["Ref"] is { } parameter ? (int)Template.Parameters[(string)parameter!]!["Default"]! : (int)rateBasedStatement["Limit"]!;

    /// <summary>The IP set an <c>IPSetReferenceStatement</c> points at.</summary>
    private static string SetOf(JsonNode statement) =>
        (string)statement["IPSetReferenceStatement"]!["Arn"]!["Fn::GetAtt"]![0]!;

    private static IEnumerable<JsonObject> RoleStatements(string id) =>
        AllStatements().Where(s => s.Where.StartsWith($"Resources/{id}/", StringComparison.Ordinal) && IsAllow(s.Statement)).Select(s => s.Statement);

    /// <summary>Table (or <c>Table/index/name</c>) → the DynamoDB actions granted on it.</summary>
    private static Dictionary<string, HashSet<string>> TableGrants(IEnumerable<JsonObject> statements)
    {
        var tables = Template.ResourcesOfType("AWS::DynamoDB::Table").Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var grants = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var statement in statements)
        {
            var actions = Strings(statement["Action"]).Where(a => a.StartsWith("dynamodb:", StringComparison.Ordinal)).ToList();
            if (actions.Count == 0)
            {
                continue;
            }

            var resources = statement["Resource"] is JsonArray many ? many.Select(r => r!) : [statement["Resource"]!];
            foreach (var resource in resources)
            {
                var target = resource["Fn::GetAtt"] is JsonArray getAtt && (string?)getAtt[1] == "Arn" ? (string)getAtt[0]!
                    : resource["Fn::Sub"] is JsonValue sub && TableSub().Match((string)sub!) is { Success: true } m ? m.Groups[1].Value + m.Groups[2].Value
                    : resource.ToJsonString();
                Assert.True(tables.Contains(target.Split('/')[0]), $"DynamoDB actions on {target}, which is none of this stack's tables");
                grants.TryAdd(target, new HashSet<string>(StringComparer.Ordinal));
                grants[target].UnionWith(actions);
            }
        }

        return grants;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\$\{(\w+)\.Arn\}(/index/.+)?$")]
    private static partial System.Text.RegularExpressions.Regex TableSub();

    private static IEnumerable<(string Where, JsonNode Document)> PolicyDocuments(string id, JsonObject resource)
    {
        var properties = resource["Properties"]?.AsObject();
        if (properties is null)
        {
            yield break;
        }

        switch ((string?)resource["Type"])
        {
            case "AWS::IAM::Role":
                yield return ($"Resources/{id}/AssumeRolePolicyDocument", properties["AssumeRolePolicyDocument"]!);
                foreach (var policy in properties["Policies"]?.AsArray() ?? [])
                {
                    yield return ($"Resources/{id}/Policies/{(string?)policy!["PolicyName"]}", policy["PolicyDocument"]!);
                }

                break;
            case "AWS::Serverless::Function":
                foreach (var policy in properties["Policies"]?.AsArray() ?? [])
                {
                    if (policy is JsonObject document && document.ContainsKey("Statement"))
                    {
                        yield return ($"Resources/{id}/Policies", document);
                    }
                }

                break;
            default:
                if (properties["PolicyDocument"] is { } policyDocument)
                {
                    yield return ($"Resources/{id}/PolicyDocument", policyDocument);
                }

                break;
        }
    }

    private static IEnumerable<JsonObject> Statements(JsonNode document) => document["Statement"] switch
    {
        JsonArray many => many.Select(s => s!.AsObject()),
        JsonObject one => [one],
        _ => [],
    };

    private static bool IsAllow(JsonObject statement) => (string?)statement["Effect"] == "Allow";

    internal static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        null => [],
        JsonArray array => array.SelectMany(Strings),
        JsonValue value => [(string)value!],
        // An intrinsic (Ref, Fn::GetAtt, Fn::Sub): its text, so a "*" inside would still show.
        JsonObject obj when obj["Fn::Sub"] is JsonValue sub => [(string)sub!],
        JsonObject obj => [obj.ToJsonString()],
        _ => [node.ToJsonString()],
    };

    private static HashSet<string> Actions(JsonNode policies) =>
        policies.AsArray()
            .SelectMany(p => (p!["PolicyDocument"] ?? p)["Statement"]!.AsArray())
            .SelectMany(s => Strings(s!["Action"]))
            .ToHashSet(StringComparer.Ordinal);

    private static string[] Refs(JsonNode list) => list.AsArray().Select(n => (string)n!["Ref"]!).ToArray();
}

using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Kyperian.Domain.Alerts;

namespace Kyperian.Domain.Tests;

/// <summary>Error reasons describe the rule, never the value: no passphrase or submitted text is echoed back.</summary>
public class AlertSecrecyTests
{
    private const string Passphrase = "Tr0ub4dor-PASS-7731";

    public static TheoryData<string> BadBodies() =>
    [
        $$"""{"symbol":"QQsym QQ","action":"QQact","timeframe":"QQtf","price":"QQprice","passphrase":"{{Passphrase}}"}""",
        $$"""{"symbol":"BTCUSDT","action":"buy","timeframe":"15","price":1,"passphrase":"{{Passphrase}}","secret":"QQsecond-secret"}""",
        $$"""{"symbol":"BTCUSDT","action":"buy","timeframe":"15","price":1,"key":"{{Passphrase}}","key":"{{Passphrase}}"}""",
        $$"""{"symbol":"BTCUSDT","action":"buy","timeframe":"15","price":1,"passphrase":"{{Passphrase}}","source":"QQ src","id":"QQ{{new string('i', 80)}}","comment":"QQ\u0001","exchange":"QQ ex","time":"QQtime","confidence":"QQconf"}""",
        $$"""{"passphrase":"{{Passphrase}}","symbol":"QQ{{new string('s', 3000)}}"}""",
        $$"""{"passphrase":"{{Passphrase}}","symbol":"BTCUSDT" "QQbroken"}""",
        $$"""{"passphrase":"{{Passphrase}}","symbol":"QQtruncated""",
        $$"""["{{Passphrase}}","QQarray"]""",
        $$"""{"passphrase":{"QQnested":"{{Passphrase}}"},"price":["QQp"]}""",
        $$"""{"passphrase":"{{Passphrase}}","extra":{{new string('[', 40)}}"QQdeep"{{new string(']', 40)}}}""",
        $$"""{"passphrase":"{{Passphrase}}","price":"QQ NaN","quantity":"QQInfinity"}""",
    ];

    [Theory]
    [MemberData(nameof(BadBodies))]
    public void No_reason_quotes_the_passphrase_or_a_submitted_value(string body)
    {
        var errors = Alerts.Errors(body);

        Assert.NotEmpty(errors);
        foreach (var error in errors)
        {
            Assert.DoesNotContain(Passphrase, error.Reason);
            Assert.DoesNotContain(Passphrase, error.Field);
            Assert.DoesNotContain("QQ", error.Reason);
        }
    }

    /// <summary>Any value in any field, as text or as a number: no reason contains it.</summary>
    [Property(MaxTest = 300)]
    public Property Reasons_never_contain_a_submitted_value()
    {
        string[] fields =
        [
            "symbol", "action", "timeframe", "price", "confidence", "source", "passphrase", "secret", "id", "time",
            "exchange", "quantity", "stopLoss", "takeProfit", "comment", "unknownField", "sentiment", "direction", "position_size",
        ];
        var marker = Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789 _-.:/!\u0001\t€".ToCharArray())
            .ArrayOf().Select(chars => "ZQX" + new string(chars));
        var body =
            from values in Gen.ArrayOf(marker, fields.Length)
            from present in Gen.ArrayOf(ArbMap.Default.GeneratorFor<bool>(), fields.Length)
            select (fields, values, present);

        return Prop.ForAll(body.ToArbitrary(), x =>
        {
            var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                for (var i = 0; i < x.fields.Length; i++)
                {
                    if (x.present[i])
                    {
                        writer.WriteString(x.fields[i], x.values[i]);
                    }
                }

                writer.WriteEndObject();
            }

            var input = AlertReader.Read(buffer.ToArray());
            var check = new AlertValidator(Clocks.Fixed()).Validate(input);
            return check.Errors.All(e => !e.Reason.Contains("ZQX", StringComparison.Ordinal))
                && check.Warnings.All(w => !w.Contains("ZQX", StringComparison.Ordinal))
                && check.Hints.All(h => !h.Hint.Contains("ZQX", StringComparison.Ordinal))
                && input.Mappings.All(m => !m.From.Contains("ZQX", StringComparison.Ordinal) && m.Note?.Contains("ZQX", StringComparison.Ordinal) != true);
        });
    }

    [Fact]
    public void The_reason_for_an_unreadable_body_does_not_quote_its_passphrase()
    {
        var input = AlertReader.Read(Encoding.UTF8.GetBytes($$"""{"passphrase":"{{Passphrase}}", oops}"""));
        Assert.True(input.IsUnreadable);
        Assert.DoesNotContain(Passphrase, Assert.Single(input.ReadErrors!).Reason);
    }
}

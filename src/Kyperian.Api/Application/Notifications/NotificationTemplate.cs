using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Kyperian.Api.Application.Notifications;

/// <summary>
/// A body with placeholders: <c>{{symbol}}</c> is replaced by the event's value, <c>{{#entry}}…{{/entry}}</c> is kept
/// only when the value is true or present, <c>{{^entry}}…{{/entry}}</c> only when it is not. A template that starts
/// with <c>{</c> (not <c>{{</c>) or <c>[</c> is JSON: a placeholder inside a string is JSON-escaped, one outside a string becomes a
/// JSON value (a number, <c>null</c>, a quoted string; <c>{{raw}}</c> that is JSON itself is embedded as it is).
/// </summary>
public sealed class NotificationTemplate
{
    private readonly IReadOnlyList<Segment> _segments;

    private NotificationTemplate(IReadOnlyList<Segment> segments, bool isJson, bool usesRaw)
    {
        _segments = segments;
        IsJson = isJson;
        UsesRaw = usesRaw;
    }

    public bool IsJson { get; }

    /// <summary>True when the template forwards the alert's own body, which must then be kept until delivery.</summary>
    public bool UsesRaw { get; }

    public string ContentType => IsJson ? "application/json" : "text/plain; charset=utf-8";

    /// <param name="text">The template as configured.</param>
    /// <param name="customNames">Names of the destination's own values (<c>:Values:{name}</c>), usable as placeholders.</param>
    /// <param name="template">The parsed template.</param>
    /// <param name="error">Why the template is unusable, naming a placeholder at most, never quoting the template.</param>
    public static bool TryParse(
        string text,
        IReadOnlyCollection<string> customNames,
        [NotNullWhen(true)] out NotificationTemplate? template,
        [NotNullWhen(false)] out string? error)
    {
        template = null;
        // "{{" opens a placeholder, not an object: "{{raw}}" alone is a text template.
        var start = text.TrimStart();
        var isJson = start is ['[', ..] || (start is ['{', ..] && !start.StartsWith("{{", StringComparison.Ordinal));
        var parser = new Parser(text, isJson, customNames);
        if (!parser.TryParse(out var segments, out error))
        {
            return false;
        }

        var candidate = new NotificationTemplate(segments, isJson, parser.UsesRaw);
        if (isJson)
        {
            // Filled in with a sample, the body must be JSON: a template that is not would be refused by every receiver.
            var sample = candidate.Render(Sample, "{\"sample\":true}", customNames.ToDictionary(n => n, _ => "sample", StringComparer.OrdinalIgnoreCase));
            try
            {
                JsonDocument.Parse(sample).Dispose();
            }
            catch (JsonException)
            {
                error = "is not valid JSON once its placeholders are filled in";
                return false;
            }
        }

        template = candidate;
        return true;
    }

    public static NotificationTemplate Parse(string text, IReadOnlyCollection<string>? customNames = null) =>
        TryParse(text, customNames ?? [], out var template, out var error)
            ? template
            : throw new FormatException("The template " + error + ".");

    /// <param name="notification">The event.</param>
    /// <param name="raw">The alert's body as sent, for <c>{{raw}}</c>; null when it is not kept.</param>
    /// <param name="values">The destination's own values (<c>:Values:{name}</c>).</param>
    public string Render(NotificationEvent notification, string? raw, IReadOnlyDictionary<string, string> values)
    {
        var builder = new StringBuilder(256);
        Write(_segments, builder, new Scope(notification, raw, values));
        return builder.ToString();
    }

    private void Write(IReadOnlyList<Segment> segments, StringBuilder builder, Scope scope)
    {
        foreach (var segment in segments)
        {
            switch (segment)
            {
                case Literal literal:
                    builder.Append(literal.Text);
                    break;
                case Placeholder placeholder:
                    WriteValue(builder, scope.Value(placeholder.Name), placeholder.InJsonString);
                    break;
                case Section section:
                    if (scope.Value(section.Name).IsTruthy != section.Inverted)
                    {
                        Write(section.Children, builder, scope);
                    }

                    break;
            }
        }
    }

    private void WriteValue(StringBuilder builder, TemplateValue value, bool inJsonString)
    {
        if (!IsJson)
        {
            builder.Append(value.Text);
            return;
        }

        if (inJsonString)
        {
            builder.Append(JavaScriptEncoder.UnsafeRelaxedJsonEscaping.Encode(value.Text ?? ""));
            return;
        }

        if (value.Text is null)
        {
            builder.Append("null");
        }
        else if (value.Kind is ValueKind.Number or ValueKind.Boolean || (value.Kind == ValueKind.Json && IsJsonValue(value.Text)))
        {
            builder.Append(value.Text);
        }
        else
        {
            builder.Append('"').Append(JavaScriptEncoder.UnsafeRelaxedJsonEscaping.Encode(value.Text)).Append('"');
        }
    }

    private static bool IsJsonValue(string text)
    {
        try
        {
            JsonDocument.Parse(text).Dispose();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>An event with every field set, to check that a JSON template stays JSON.</summary>
    private static readonly NotificationEvent Sample = new()
    {
        Id = "evt_sample",
        Type = NotificationEventType.DecisionExecute,
        OccurredAt = DateTimeOffset.UnixEpoch,
        Message = "Sample \"message\"\nwith two lines",
        DecisionId = "dec_sample",
        SignalId = "sig_sample",
        Symbol = "BTCUSDT",
        Exchange = "BINANCE",
        Verdict = "EXECUTE",
        Action = "EnterLong",
        Side = "buy",
        OrderAction = "buy",
        Position = "long",
        PreviousPosition = "short",
        Move = "Reverse to long (short \"+1.8 %\")",
        ReturnPct = 1.8,
        SizePct = 2.5,
        Price = 64250.5m,
        Timeframe = "15m",
        Score = 0.8,
        Alignment = 0.9,
        Confidence = 80,
        Quantity = 1,
        StopLoss = 63000,
        TakeProfit = 66000,
        Reasons = ["HTF_CONFLICT"],
        Explanations = ["4h is a live SELL at 90 % against this BUY."],
        Explanation = "3 of 4 timeframes agree",
    };

    private enum ValueKind
    {
        Text,
        Number,
        Boolean,

        /// <summary>Text that is embedded as it is when it is JSON (the alert's own body).</summary>
        Json,
    }

    private readonly record struct TemplateValue(string? Text, ValueKind Kind)
    {
        public bool IsTruthy => Kind == ValueKind.Boolean ? Text == "true" : !string.IsNullOrEmpty(Text);

        public static TemplateValue Of(string? text) => new(text, ValueKind.Text);

        public static TemplateValue Of(double? number) =>
            new(number?.ToString("0.########", CultureInfo.InvariantCulture), ValueKind.Number);

        public static TemplateValue Of(decimal? number) =>
            new(number?.ToString(CultureInfo.InvariantCulture), ValueKind.Number);

        public static TemplateValue Of(bool flag) => new(flag ? "true" : "false", ValueKind.Boolean);
    }

    /// <summary>What the placeholders stand for.</summary>
    private readonly record struct Scope(NotificationEvent Event, string? Raw, IReadOnlyDictionary<string, string> Values)
    {
        public TemplateValue Value(string name) =>
            BuiltIns.TryGetValue(name, out var read) ? read(this)
            : Values.TryGetValue(name, out var custom) ? TemplateValue.Of(custom)
            : TemplateValue.Of((string?)null);
    }

    private static readonly Dictionary<string, Func<Scope, TemplateValue>> BuiltIns = new(StringComparer.OrdinalIgnoreCase)
    {
        ["id"] = s => TemplateValue.Of(s.Event.Id),
        ["eventId"] = s => TemplateValue.Of(s.Event.Id),
        ["type"] = s => TemplateValue.Of(s.Event.Type.Code()),
        ["eventType"] = s => TemplateValue.Of(s.Event.Type.Code()),
        ["time"] = s => TemplateValue.Of(s.Event.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
        ["timeMs"] = s => TemplateValue.Of((decimal?)s.Event.OccurredAt.ToUnixTimeMilliseconds()),
        ["message"] = s => TemplateValue.Of(s.Event.Message),
        ["decisionId"] = s => TemplateValue.Of(s.Event.DecisionId),
        ["signalId"] = s => TemplateValue.Of(s.Event.SignalId),
        ["symbol"] = s => TemplateValue.Of(s.Event.Symbol),
        ["exchange"] = s => TemplateValue.Of(s.Event.Exchange),
        ["verdict"] = s => TemplateValue.Of(s.Event.Verdict),
        ["action"] = s => TemplateValue.Of(s.Event.Action),
        ["side"] = s => TemplateValue.Of(s.Event.Side),
        ["orderAction"] = s => TemplateValue.Of(s.Event.OrderAction),
        ["position"] = s => TemplateValue.Of(s.Event.Position),
        ["previousPosition"] = s => TemplateValue.Of(s.Event.PreviousPosition),
        ["move"] = s => TemplateValue.Of(s.Event.Move),
        ["returnPct"] = s => TemplateValue.Of(s.Event.ReturnPct),
        ["sizePct"] = s => TemplateValue.Of(s.Event.SizePct),
        ["price"] = s => TemplateValue.Of(s.Event.Price),
        ["timeframe"] = s => TemplateValue.Of(s.Event.Timeframe),
        ["score"] = s => TemplateValue.Of(s.Event.Score),
        ["alignment"] = s => TemplateValue.Of(s.Event.Alignment),
        ["confidence"] = s => TemplateValue.Of((double?)s.Event.Confidence),
        ["quantity"] = s => TemplateValue.Of(s.Event.Quantity),
        ["stopLoss"] = s => TemplateValue.Of(s.Event.StopLoss),
        ["takeProfit"] = s => TemplateValue.Of(s.Event.TakeProfit),
        ["reasons"] = s => TemplateValue.Of(s.Event.Reasons is { Count: > 0 } r ? string.Join(",", r) : null),
        ["explanation"] = s => TemplateValue.Of(s.Event.Explanation),
        ["raw"] = s => new TemplateValue(s.Raw, ValueKind.Json),
        ["execute"] = s => TemplateValue.Of(s.Event.Type == NotificationEventType.DecisionExecute),
        ["veto"] = s => TemplateValue.Of(s.Event.Type == NotificationEventType.DecisionVeto),
        ["entry"] = s => TemplateValue.Of(s.Event.Action is "EnterLong" or "EnterShort" or "Reverse"),
        ["exit"] = s => TemplateValue.Of(s.Event.Action == "Exit"),
        ["long"] = s => TemplateValue.Of(s.Event.Side == "buy"),
        ["short"] = s => TemplateValue.Of(s.Event.Side == "sell"),
    };

    /// <summary>Every placeholder a template may use, besides a destination's own values.</summary>
    public static IReadOnlyCollection<string> Placeholders => BuiltIns.Keys;

    private abstract record Segment;

    private sealed record Literal(string Text) : Segment;

    private sealed record Placeholder(string Name, bool InJsonString) : Segment;

    private sealed record Section(string Name, bool Inverted, IReadOnlyList<Segment> Children) : Segment;

    private sealed class Parser(string text, bool isJson, IReadOnlyCollection<string> customNames)
    {
        private int _position;
        private bool _inJsonString;

        public bool UsesRaw { get; private set; }

        public bool TryParse([NotNullWhen(true)] out IReadOnlyList<Segment>? segments, [NotNullWhen(false)] out string? error)
        {
            segments = ParseUntil(null, out error);
            if (segments is not null && _position < text.Length)
            {
                error = "closes a section it never opened";
                segments = null;
            }

            return segments is not null;
        }

        private List<Segment>? ParseUntil(string? closing, out string? error)
        {
            error = null;
            var segments = new List<Segment>();
            while (_position < text.Length)
            {
                var open = text.IndexOf("{{", _position, StringComparison.Ordinal);
                var literalEnd = open < 0 ? text.Length : open;
                if (literalEnd > _position)
                {
                    var literal = text[_position..literalEnd];
                    TrackJsonStrings(literal);
                    segments.Add(new Literal(literal));
                }

                if (open < 0)
                {
                    _position = text.Length;
                    break;
                }

                var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
                if (close < 0)
                {
                    error = "has a {{ that is never closed";
                    return null;
                }

                var tag = text[(open + 2)..close].Trim();
                var marker = tag.Length > 0 ? tag[0] : ' ';
                var name = marker is '#' or '^' or '/' ? tag[1..].Trim() : tag;
                if (marker == '/')
                {
                    if (!string.Equals(name, closing, StringComparison.OrdinalIgnoreCase))
                    {
                        error = closing is null ? "closes a section it never opened" : $"closes {{{{#{closing}}}}} with the wrong name";
                        return null;
                    }

                    _position = close + 2;
                    return segments;
                }

                if (!IsKnown(name))
                {
                    error = $"uses an unknown placeholder {{{{{(name.Length > 40 ? name[..40] : name)}}}}}; known: {string.Join(", ", Placeholders.Order(StringComparer.Ordinal))} and the destination's Values";
                    return null;
                }

                UsesRaw |= string.Equals(name, "raw", StringComparison.OrdinalIgnoreCase);
                _position = close + 2;
                if (marker is '#' or '^')
                {
                    var children = ParseUntil(name, out error);
                    if (children is null)
                    {
                        return null;
                    }

                    segments.Add(new Section(name, marker == '^', children));
                }
                else
                {
                    segments.Add(new Placeholder(name, isJson && _inJsonString));
                }
            }

            if (closing is not null)
            {
                error = $"never closes {{{{#{closing}}}}}";
                return null;
            }

            return segments;
        }

        private bool IsKnown(string name) =>
            name.Length > 0 && (BuiltIns.ContainsKey(name) || customNames.Contains(name, StringComparer.OrdinalIgnoreCase));

        /// <summary>Follows the JSON text between placeholders, to know whether a placeholder sits inside a string.</summary>
        private void TrackJsonStrings(string literal)
        {
            if (!isJson)
            {
                return;
            }

            for (var i = 0; i < literal.Length; i++)
            {
                if (_inJsonString && literal[i] == '\\')
                {
                    i++;
                }
                else if (literal[i] == '"')
                {
                    _inJsonString = !_inJsonString;
                }
            }
        }
    }
}

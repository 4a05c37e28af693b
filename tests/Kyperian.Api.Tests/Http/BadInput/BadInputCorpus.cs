using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Kyperian.Api.Tests.Http.Infrastructure;

namespace Kyperian.Api.Tests.Http.BadInput;

/// <summary>One hostile or broken request to /webhook and the answer it must get.</summary>
/// <param name="Name">Unique, readable: the Theory's data.</param>
/// <param name="Symbol">The symbol the body would have stored under, checked empty after the corpus.</param>
/// <param name="Body">The raw bytes sent.</param>
/// <param name="MediaType">Content-Type, or null for none.</param>
/// <param name="Query">Appended to /webhook (e.g. ?token=).</param>
/// <param name="Status">The documented answer.</param>
/// <param name="Fields">For a 400, exactly the fields <c>errors</c> must name.</param>
/// <param name="Chunked">Send without Content-Length.</param>
public sealed record BadCase(
    string Name,
    string Symbol,
    byte[] Body,
    string? MediaType,
    string Query,
    HttpStatusCode Status,
    string[] Fields,
    bool Chunked = false)
{
    public HttpRequestMessage ToRequest()
    {
        HttpContent content = Chunked ? new StreamContent(new UnseekableStream(Body)) : new ByteArrayContent(Body);
        if (MediaType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(MediaType);
        }

        return new HttpRequestMessage(HttpMethod.Post, "/webhook" + Query) { Content = content };
    }

    public override string ToString() => Name;

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}

/// <summary>
/// The bad-input corpus: malformed and truncated JSON, wrong types, out-of-range
/// numbers, NaN and Infinity, duplicate keys, deep nesting, oversized bodies, wrong media types, unicode, control
/// characters and injection strings in every field that must refuse them, and wrong or missing passphrases.
/// Free-text fields (id, comment) legitimately keep injection strings as inert data: see WebhookTests.
/// </summary>
public static class BadInputCorpus
{
    private const string Json = "application/json";
    private const string P = KyperianFactory.Passphrase;
    private const string Body = "body";

    /// <summary>Raw non-ASCII stays raw in the bytes sent; quotes and control characters are escaped.</summary>
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly Lazy<IReadOnlyList<BadCase>> All = new(Build);

    public static IReadOnlyList<BadCase> Cases => All.Value;

    public static BadCase Get(string name) => Cases.Single(c => c.Name == name);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases)
        {
            data.Add(c.Name);
        }

        return data;
    }

    private static IReadOnlyList<BadCase> Build()
    {
        var b = new Builder();

        // Malformed, truncated, not one object.
        b.Raw("json: trailing comma", s => $"{{\"symbol\":\"{s}\",\"action\":\"buy\",\"timeframe\":\"15\",\"price\":1,\"passphrase\":\"{P}\",}}", Body);
        b.Raw("json: unquoted keys", s => $"{{symbol:\"{s}\",action:\"buy\",timeframe:\"15\",price:1,passphrase:\"{P}\"}}", Body);
        b.Raw("json: single quotes", s => $"{{'symbol':'{s}','action':'buy','timeframe':'15','price':1,'passphrase':'{P}'}}", Body);
        b.Raw("json: truncated halfway", s => { var full = Builder.Text(Builder.BaseMembers(s)); return full[..(full.Length / 2)]; }, Body);
        b.Raw("json: truncated after a colon", s => $"{{\"symbol\":\"{s}\",\"passphrase\":\"{P}\",\"price\":", Body);
        b.Raw("json: missing closing brace", s => Builder.Text(Builder.BaseMembers(s)).TrimEnd('}'), Body);
        b.Raw("json: only an opening brace", _ => "{", Body);
        b.Raw("json: unterminated string", s => $"{{\"symbol\":\"{s}\",\"passphrase\":\"{P}\",\"action\":\"buy", Body);
        b.Raw("json: missing comma", s => $"{{\"symbol\":\"{s}\" \"action\":\"buy\",\"timeframe\":\"15\",\"price\":1,\"passphrase\":\"{P}\"}}", Body);
        b.Raw("json: comment", s => $"{{/* from TradingView */\"symbol\":\"{s}\",\"action\":\"buy\",\"timeframe\":\"15\",\"price\":1,\"passphrase\":\"{P}\"}}", Body);
        b.Raw("json: two objects", s => Builder.Text(Builder.BaseMembers(s)) + Builder.Text(Builder.BaseMembers(s)), Body);
        b.Raw("json: text after the object", s => Builder.Text(Builder.BaseMembers(s)) + " and more", Body);
        b.Raw("json: TradingView placeholder alert left as plain text", _ => "{{strategy.order.action}} {{ticker}} @ {{close}}", Body, "text/plain");
        b.Raw("json: xml sent as application/json", s => $"<alert><symbol>{s}</symbol><passphrase>{P}</passphrase></alert>", Body);
        b.Raw("empty body", _ => string.Empty, Body);
        b.Raw("blank body", _ => " \r\n\t ", Body);
        b.Raw("byte order mark only", _ => "\uFEFF", Body);
        b.Raw("top level: array", s => "[" + Builder.Text(Builder.BaseMembers(s)) + "]", Body);
        b.Raw("top level: string", s => $"\"{s}\"", Body);
        b.Raw("top level: number", _ => "42", Body);
        b.Raw("top level: null", _ => "null", Body);
        b.Raw("top level: true", _ => "true", Body);

        // NaN and Infinity: literals are not JSON. As strings in an optional amount they are left out with a warning
        // (see FormatTests); in confidence they are refused.
        b.Member("literal NaN price", "price", "NaN", Body);
        b.Member("literal Infinity price", "price", "Infinity", Body);
        b.Member("literal -Infinity confidence", "confidence", "-Infinity", Body);
        b.Member("string NaN confidence", "confidence", Q("NaN"), "confidence");

        // Nesting past 16 levels, in a field nobody reads.
        b.Member("nesting: 17 arrays in an unknown field", "meta", new string('[', 17) + new string(']', 17), Body);
        b.Member("nesting: 20 objects in an unknown field", "meta", string.Concat(Enumerable.Repeat("{\"a\":", 20)) + "1" + new string('}', 20), Body);

        // Text that is not text: invalid UTF-8 bytes and broken surrogate escapes.
        b.Bytes("invalid UTF-8 in symbol", s => Builder.Utf8WithInvalidByte(Builder.BaseMembers(s), "symbol"), Body);
        b.Bytes("invalid UTF-8 in comment", s => Builder.Utf8WithInvalidByte(Builder.With(Builder.BaseMembers(s), "comment", Q("xx")), "comment"), Body);
        b.Member("lone high surrogate escape in comment", "comment", "\"\\ud800\"", Body);
        b.Member("lone low surrogate escape in id", "id", "\"a\\udc00b\"", Body);
        b.Raw("lone surrogate escape in a field name", s => Builder.Text(Builder.With(Builder.BaseMembers(s), "\\ud83d", "1")), Body);

        // Wrong media types and sizes.
        b.Media("media: form urlencoded", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType);
        b.Media("media: multipart form", "multipart/form-data; boundary=xyz", HttpStatusCode.UnsupportedMediaType);
        b.Media("media: application/xml", "application/xml", HttpStatusCode.UnsupportedMediaType);
        b.Media("media: text/xml", "text/xml", HttpStatusCode.UnsupportedMediaType);
        b.Media("media: text/html", "text/html", HttpStatusCode.UnsupportedMediaType);
        b.Media("media: octet-stream", "application/octet-stream", HttpStatusCode.UnsupportedMediaType);
        b.Media("media: none", null, HttpStatusCode.UnsupportedMediaType);
        b.Oversized("size: 16 KiB + 1 byte", 16 * 1024 + 1, chunked: false);
        b.Oversized("size: 1 MiB", 1024 * 1024, chunked: false);
        b.Oversized("size: 20 KiB chunked, no Content-Length", 20 * 1024, chunked: true);

        // Passphrase missing or wrong: 401, and the same 401 whatever the reason.
        b.Members("passphrase: missing", m => Builder.With(m, "passphrase", null), HttpStatusCode.Unauthorized);
        b.Members("passphrase: wrong", m => Builder.With(m, "passphrase", Q("hunter2")), HttpStatusCode.Unauthorized);
        b.Members("passphrase: wrong case", m => Builder.With(m, "passphrase", Q(P.ToUpperInvariant())), HttpStatusCode.Unauthorized);
        b.Members("passphrase: trailing space", m => Builder.With(m, "passphrase", Q(P + " ")), HttpStatusCode.Unauthorized);
        b.Members("passphrase: trailing newline", m => Builder.With(m, "passphrase", Q(P + "\n")), HttpStatusCode.Unauthorized);
        b.Members("passphrase: zero-width space in front", m => Builder.With(m, "passphrase", Q("\u200B" + P)), HttpStatusCode.Unauthorized);
        b.Members("passphrase: NUL appended", m => Builder.With(m, "passphrase", Q(P + "\0")), HttpStatusCode.Unauthorized);
        b.Members("passphrase: prefix only", m => Builder.With(m, "passphrase", Q(P[..^1])), HttpStatusCode.Unauthorized);
        b.Members("passphrase: empty", m => Builder.With(m, "passphrase", Q(string.Empty)), HttpStatusCode.Unauthorized);
        b.Members("passphrase: null", m => Builder.With(m, "passphrase", "null"), HttpStatusCode.Unauthorized);
        b.Members("passphrase: number", m => Builder.With(m, "passphrase", "12345"), HttpStatusCode.Unauthorized);
        b.Members("passphrase: true", m => Builder.With(m, "passphrase", "true"), HttpStatusCode.Unauthorized);
        b.Members("passphrase: object holding it", m => Builder.With(m, "passphrase", $"{{\"value\":{Q(P)}}}"), HttpStatusCode.Unauthorized);
        b.Members("passphrase: array holding it", m => Builder.With(m, "passphrase", $"[{Q(P)}]"), HttpStatusCode.Unauthorized);
        b.Members("passphrase: 3000 characters", m => Builder.With(m, "passphrase", Q(new string('p', 3000))), HttpStatusCode.Unauthorized);
        b.Members("passphrase: SQL injection", m => Builder.With(m, "passphrase", Q("' OR '1'='1")), HttpStatusCode.Unauthorized);
        b.Members("passphrase: nested in an auth object", m => Builder.With(Builder.With(m, "passphrase", null), "auth", $"{{\"passphrase\":{Q(P)}}}"), HttpStatusCode.Unauthorized);
        b.Members("passphrase: wrong first, right second (secret)", m => Builder.With(Builder.With(m, "passphrase", Q("wrong")), "secret", Q(P)), HttpStatusCode.Unauthorized);
        b.Members("passphrase: wrong ?token=, none in body", m => Builder.With(m, "passphrase", null), HttpStatusCode.Unauthorized, query: "?token=hunter2");
        b.Members("passphrase: wrong ?token= and wrong body", m => Builder.With(m, "passphrase", Q("wrong")), HttpStatusCode.Unauthorized, query: "?token=hunter2");
        b.Members("passphrase: right value under ?passphrase=", m => Builder.With(m, "passphrase", null), HttpStatusCode.Unauthorized, query: "?passphrase=" + P);
        b.Members("passphrase: empty ?token=", m => Builder.With(m, "passphrase", null), HttpStatusCode.Unauthorized, query: "?token=");

        // Duplicate keys: the alert says two things; which did the trader mean?
        b.Members("duplicate: passphrase and secret", m => Builder.With(m, "secret", Q(P)), fields: "passphrase");
        b.Members("duplicate: secret and key", m => Builder.With(Builder.With(Builder.With(m, "passphrase", null), "secret", Q(P)), "key", Q(P)), fields: "passphrase");
        b.Members("duplicate: passphrase twice", m => Builder.Append(m, "passphrase", Q(P)), fields: "passphrase");
        b.Members("duplicate: symbol twice", m => Builder.Append(m, "symbol", Q("OTHERUSDT")), fields: "symbol");
        b.Members("duplicate: symbol and ticker", m => Builder.Append(m, "ticker", Q("OTHERUSDT")), fields: "symbol");
        b.Members("duplicate: action and side", m => Builder.Append(m, "side", Q("sell")), fields: "action");
        b.Members("duplicate: timeframe and interval", m => Builder.Append(m, "interval", Q("60")), fields: "timeframe");
        b.Members("duplicate: price twice", m => Builder.Append(m, "price", "99"), fields: "price");
        b.Members("duplicate: confidence twice", m => Builder.Append(m, "confidence", "90"), fields: "confidence");
        b.Members("duplicate: unknown field twice", m => Builder.Append(Builder.With(m, "note", Q("a")), "note", Q("b")), fields: "note");

        // Required fields.
        b.Members("missing: everything but the passphrase", m => [.. m.Where(x => x.Key == "passphrase")], fields: ["action", "symbol", "timeframe"]);
        b.Members("missing: symbol is null", m => Builder.With(m, "symbol", "null"), fields: "symbol");

        // Wrong types in every field.
        b.Member("type: symbol number", "symbol", "123", "symbol");
        b.Member("type: symbol array", "symbol", "[\"BTCUSDT\"]", "symbol");
        b.Member("type: symbol object", "symbol", "{\"name\":\"BTCUSDT\"}", "symbol");
        b.Member("type: symbol true", "symbol", "true", "symbol");
        b.Member("type: action number", "action", "1", "action");
        b.Member("type: action true", "action", "true", "action");
        b.Member("type: action array", "action", "[\"buy\"]", "action");
        b.Member("type: timeframe true", "timeframe", "true", "timeframe");
        b.Member("type: timeframe array", "timeframe", "[15]", "timeframe");
        b.Member("type: timeframe object", "timeframe", "{\"minutes\":15}", "timeframe");
        b.Member("type: confidence word", "confidence", Q("high"), "confidence");
        b.Member("type: confidence true", "confidence", "true", "confidence");
        b.Member("type: confidence array", "confidence", "[80]", "confidence");
        b.Member("type: source number", "source", "5", "source");
        b.Member("type: source true", "source", "true", "source");
        b.Member("type: id object", "id", "{\"n\":1}", "id");
        b.Member("type: id false", "id", "false", "id");
        b.Member("type: time true", "time", "true", "time");
        b.Member("type: time object", "time", "{\"t\":1}", "time");
        b.Member("type: exchange number", "exchange", "1", "exchange");
        b.Member("type: exchange false", "exchange", "false", "exchange");
        b.Member("type: comment number", "comment", "42", "comment");
        b.Member("type: comment object", "comment", "{\"text\":\"hi\"}", "comment");
        b.Members("type: passphrase true, authorized by ?token=", m => Builder.With(m, "passphrase", "true"), fields: "passphrase", query: "?token=" + P);

        // Numbers out of range.
        b.Member("range: price 0", "price", "0", "price");
        b.Member("range: price -0", "price", "-0", "price");
        b.Member("range: price -1", "price", "-1", "price");
        b.Member("range: price 1e-30 rounds to 0", "price", "1e-30", "price");
        b.Member("range: price \"-5\"", "price", Q("-5"), "price");
        b.Member("range: confidence 101", "confidence", "101", "confidence");
        b.Member("range: confidence -1", "confidence", "-1", "confidence");
        b.Member("range: confidence 50.5", "confidence", "50.5", "confidence");
        b.Member("range: confidence 1e10", "confidence", "1e10", "confidence");
        b.Member("range: quantity 0", "quantity", "0", "quantity");
        b.Member("range: stopLoss -5", "stopLoss", "-5", "stopLoss");
        b.Member("range: takeProfit 0", "takeProfit", "0", "takeProfit");

        // The symbol: length, shape, unicode, control characters, injection.
        b.Member("symbol: 41 characters", "symbol", Q(new string('A', 41)), "symbol");
        b.Member("symbol: 3000 characters", "symbol", Q(new string('A', 3000)), "symbol");
        b.Member("symbol: empty", "symbol", Q(string.Empty), "symbol");
        b.Member("symbol: blank", "symbol", Q("   "), "symbol");
        b.Member("symbol: exchange without ticker", "symbol", Q("BINANCE:"), "symbol");
        b.Member("symbol: ticker without exchange", "symbol", Q(":BTCUSDT"), "symbol");
        b.Member("symbol: two colons", "symbol", Q("A:B:C"), "symbol");
        b.Member("symbol: space inside", "symbol", Q("BTC USDT"), "symbol");
        b.Member("symbol: NUL inside", "symbol", Q("BTC\0USDT"), "symbol");
        b.Member("symbol: CRLF header injection", "symbol", Q("BTCUSDT\r\nX-Injected: 1"), "symbol");
        b.Member("symbol: cyrillic", "symbol", Q("БИТКОИН"), "symbol");
        b.Member("symbol: full-width letters", "symbol", Q("ＢＴＣＵＳＤＴ"), "symbol");
        b.Member("symbol: emoji", "symbol", Q("BTC🚀"), "symbol");
        b.Member("symbol: SQL injection", "symbol", Q("BTC'; DROP TABLE signals;--"), "symbol");
        b.Member("symbol: script tag", "symbol", Q("<script>alert(1)</script>"), "symbol");
        b.Member("symbol: unrendered {{ticker}}", "symbol", Q("{{ticker}}"), "symbol");
        b.Member("symbol: windows path traversal", "symbol", Q("..\\..\\windows\\win.ini"), "symbol");
        b.Member("symbol: url-encoded traversal", "symbol", Q("%2e%2e%2fetc%2fpasswd"), "symbol");

        // The action.
        b.Member("action: empty", "action", Q(string.Empty), "action");
        b.Member("action: hold", "action", Q("hold"), "action");
        b.Member("action: NUL appended", "action", Q("buy\0"), "action");
        b.Member("action: CRLF and a second action", "action", Q("buy\r\nsell"), "action");
        b.Member("action: full-width", "action", Q("ＢＵＹ"), "action");
        b.Member("action: SQL injection", "action", Q("buy'; DROP TABLE signals;--"), "action");
        b.Member("action: script tag", "action", Q("<script>alert(1)</script>"), "action");
        b.Member("action: unrendered placeholder", "action", Q("{{strategy.order.action}}"), "action");
        b.Member("action: path traversal", "action", Q("../buy"), "action");

        // The timeframe.
        b.Member("timeframe: empty", "timeframe", Q(string.Empty), "timeframe");
        b.Member("timeframe: 0", "timeframe", Q("0"), "timeframe");
        b.Member("timeframe: 1441 minutes", "timeframe", Q("1441"), "timeframe");
        b.Member("timeframe: 60 seconds", "timeframe", Q("60S"), "timeframe");
        b.Member("timeframe: 13 months", "timeframe", Q("13M"), "timeframe");
        b.Member("timeframe: negative", "timeframe", Q("-15"), "timeframe");
        b.Member("timeframe: 15.5 number", "timeframe", "15.5", "timeframe");
        b.Member("timeframe: years", "timeframe", Q("1y"), "timeframe");
        b.Member("timeframe: full-width digits", "timeframe", Q("１５"), "timeframe");
        b.Member("timeframe: NUL appended", "timeframe", Q("15\0"), "timeframe");
        b.Member("timeframe: unrendered {{interval}}", "timeframe", Q("{{interval}}"), "timeframe");
        b.Member("timeframe: SQL injection", "timeframe", Q("15; DROP TABLE signals"), "timeframe");
        b.Member("timeframe: script tag", "timeframe", Q("<script>"), "timeframe");
        b.Member("timeframe: path traversal", "timeframe", Q("../15"), "timeframe");

        // The source: free text is kept as its slug (see FormatTests), so nothing here refuses it.

        // The client id: printable, at most 64.
        b.Member("id: 65 characters", "id", Q(new string('i', 65)), "id");
        b.Member("id: 3000 characters", "id", Q(new string('i', 3000)), "id");
        b.Member("id: empty", "id", Q(string.Empty), "id");
        b.Member("id: NUL", "id", Q("abc\0"), "id");
        b.Member("id: CRLF", "id", Q("a\r\nSet-Cookie: x=1"), "id");
        b.Member("id: ANSI escape", "id", Q("\u001b[31mred"), "id");

        // The time.
        b.Member("time: words", "time", Q("yesterday"), "time");
        b.Member("time: impossible date", "time", Q("2026-13-45T99:99:99Z"), "time");
        b.Member("time: US format", "time", Q("01/15/2026 14:30"), "time");
        b.Member("time: unrendered {{timenow}}", "time", Q("{{timenow}}"), "time");
        b.Member("time: far future", "time", Q("2099-01-01T00:00:00Z"), "time");
        b.Member("time: epoch seconds", "time", "1700000000", "time");
        b.Member("time: epoch ms in 2286", "time", "9999999999999", "time");
        b.Member("time: negative", "time", "-1", "time");
        b.Member("time: fractional", "time", "1700000000000.5", "time");
        b.Member("time: empty", "time", Q(string.Empty), "time");
        b.Member("time: NUL", "time", Q("\0"), "time");
        b.Member("time: SQL injection", "time", Q("2026-01-01'; DROP TABLE signals;--"), "time");
        b.Member("time: script tag", "time", Q("<script>alert(1)</script>"), "time");
        b.Member("time: path traversal", "time", Q("../../etc/passwd"), "time");

        // The exchange.
        b.Member("exchange: empty", "exchange", Q(string.Empty), "exchange");
        b.Member("exchange: 21 characters", "exchange", Q(new string('E', 21)), "exchange");
        b.Member("exchange: space", "exchange", Q("BIN ANCE"), "exchange");
        b.Member("exchange: CRLF", "exchange", Q("BINANCE\r\n"), "exchange");
        b.Member("exchange: cyrillic", "exchange", Q("БИРЖА"), "exchange");
        b.Member("exchange: SQL injection", "exchange", Q("' OR 1=1--"), "exchange");
        b.Member("exchange: script tag", "exchange", Q("<script>"), "exchange");
        b.Member("exchange: unrendered placeholder", "exchange", Q("{{exchange}}"), "exchange");
        b.Member("exchange: path traversal", "exchange", Q("../../etc"), "exchange");

        // The comment: free text, but bounded and without control characters.
        b.Member("comment: 501 characters", "comment", Q(new string('c', 501)), "comment");
        b.Member("comment: NUL", "comment", Q("EMA cross\0"), "comment");
        b.Member("comment: ANSI clear screen", "comment", Q("\u001b[2J"), "comment");
        b.Member("comment: bell", "comment", Q("ding\u0007"), "comment");
        b.Member("comment: C1 control NEL", "comment", Q("a\u0085b"), "comment");

        // Several fields wrong at once: every one is named.
        b.Members(
            "several fields at once",
            m => Builder.With(Builder.With(Builder.With(Builder.With(m, "price", "-1"), "confidence", "500"), "timeframe", Q("7x")), "exchange", Q("Trading View")),
            fields: ["confidence", "exchange", "price", "timeframe"]);

        return b.Cases;
    }

    private static string Q(string value) => JsonSerializer.Serialize(value, Relaxed);

    private sealed class Builder
    {
        public List<BadCase> Cases { get; } = [];

        public static List<KeyValuePair<string, string>> BaseMembers(string symbol) =>
        [
            new("symbol", Q(symbol)),
            new("action", Q("buy")),
            new("timeframe", Q("15")),
            new("price", "101.25"),
            new("confidence", "70"),
            new("passphrase", Q(P)),
        ];

        /// <summary>Sets (or, with null, removes) a member; appends it when absent.</summary>
        public static List<KeyValuePair<string, string>> With(List<KeyValuePair<string, string>> members, string key, string? raw)
        {
            var copy = members.Where(m => m.Key != key || raw is not null).ToList();
            var index = copy.FindIndex(m => m.Key == key);
            if (raw is null)
            {
                return copy;
            }

            if (index >= 0)
            {
                copy[index] = new(key, raw);
            }
            else
            {
                copy.Add(new(key, raw));
            }

            return copy;
        }

        /// <summary>Adds a member even when the key is there already: a duplicate key.</summary>
        public static List<KeyValuePair<string, string>> Append(List<KeyValuePair<string, string>> members, string key, string raw) =>
            [.. members, new(key, raw)];

        public static string Text(List<KeyValuePair<string, string>> members) =>
            "{" + string.Join(",", members.Select(m => $"\"{m.Key}\":{m.Value}")) + "}";

        /// <summary>The body as UTF-8 with one byte of <paramref name="field"/>'s value replaced by 0xFF.</summary>
        public static byte[] Utf8WithInvalidByte(List<KeyValuePair<string, string>> members, string field)
        {
            var marked = members.Select(m => m.Key == field ? new KeyValuePair<string, string>(m.Key, m.Value.Insert(2, "\u0001")) : m).ToList();
            var bytes = Encoding.UTF8.GetBytes(Text(marked));
            bytes[Array.IndexOf(bytes, (byte)0x01)] = 0xFF;
            return bytes;
        }

        public void Raw(string name, Func<string, string> body, string field, string mediaType = Json) =>
            Add(name, s => Encoding.UTF8.GetBytes(body(s)), mediaType, string.Empty, HttpStatusCode.BadRequest, [field]);

        public void Bytes(string name, Func<string, byte[]> body, string field) =>
            Add(name, body, Json, string.Empty, HttpStatusCode.BadRequest, [field]);

        public void Member(string name, string key, string raw, string field) =>
            Members(name, m => With(m, key, raw), fields: field);

        public void Members(
            string name,
            Func<List<KeyValuePair<string, string>>, List<KeyValuePair<string, string>>> change,
            HttpStatusCode status = HttpStatusCode.BadRequest,
            string query = "",
            params string[] fields) =>
            Add(name, s => Encoding.UTF8.GetBytes(Text(change(BaseMembers(s)))), Json, query, status, fields);

        public void Media(string name, string? mediaType, HttpStatusCode status) =>
            Add(name, s => Encoding.UTF8.GetBytes(Text(BaseMembers(s))), mediaType, string.Empty, status, []);

        /// <summary>A valid alert padded past the limit with a field nobody reads.</summary>
        public void Oversized(string name, int size, bool chunked) =>
            Add(
                name,
                s =>
                {
                    var head = Text(BaseMembers(s)).TrimEnd('}') + ",\"pad\":\"";
                    return Encoding.UTF8.GetBytes(head + new string('x', size - head.Length - 2) + "\"}");
                },
                Json,
                string.Empty,
                HttpStatusCode.RequestEntityTooLarge,
                [],
                chunked);

        private void Add(
            string name,
            Func<string, byte[]> body,
            string? mediaType,
            string query,
            HttpStatusCode status,
            string[] fields,
            bool chunked = false)
        {
            var symbol = $"CRP{Cases.Count + 1:000}";
            Cases.Add(new BadCase(name, symbol, body(symbol), mediaType, query, status, [.. fields.Order(StringComparer.Ordinal)], chunked));
        }
    }
}

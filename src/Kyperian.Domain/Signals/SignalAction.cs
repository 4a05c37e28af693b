using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Kyperian.Domain.Signals;

/// <summary>What an alert asks for. Long/short and exit/flat are the same intents under the names bots use.</summary>
/// <remarks>Written by name wherever it is written. On the type, not on each property: a property-level converter keeps
/// System.Text.Json's source generator from writing the type that holds it directly.</remarks>
[JsonConverter(typeof(JsonStringEnumConverter<SignalAction>))]
public enum SignalAction
{
    Buy,
    Sell,
    Close,
}

/// <summary>What an action word says, before the rest of the alert completes it.</summary>
public enum ActionWord
{
    Buy,
    Sell,
    Close,

    /// <summary>"enter", "entry", "open": an entry whose side another field must give.</summary>
    Enter,
}

/// <summary>What a position field (<c>sentiment</c>, <c>market_position</c>) says the position is.</summary>
public enum PositionWord
{
    Long,
    Short,
    Flat,
}

public static class SignalActions
{
    public const string Accepted =
        "buy, sell, long, short, close, exit or flat (any case; also enter_long, exit_short, closelong, closeall, buy_to_open, sell_to_close and the like)";

    // Compared with '-', '_' and spaces removed and in lower case: ENTER_LONG, enter-long and EnterLong are one word.
    private static readonly Dictionary<string, ActionWord> Words = new(StringComparer.Ordinal)
    {
        ["buy"] = ActionWord.Buy, ["long"] = ActionWord.Buy, ["bull"] = ActionWord.Buy, ["bullish"] = ActionWord.Buy,
        ["enterlong"] = ActionWord.Buy, ["entrylong"] = ActionWord.Buy, ["longentry"] = ActionWord.Buy, ["openlong"] = ActionWord.Buy,
        ["longopen"] = ActionWord.Buy, ["golong"] = ActionWord.Buy, ["buytoopen"] = ActionWord.Buy, ["buylimit"] = ActionWord.Buy,
        ["buystop"] = ActionWord.Buy, ["longbuy"] = ActionWord.Buy,

        ["sell"] = ActionWord.Sell, ["short"] = ActionWord.Sell, ["bear"] = ActionWord.Sell, ["bearish"] = ActionWord.Sell,
        ["entershort"] = ActionWord.Sell, ["entryshort"] = ActionWord.Sell, ["shortentry"] = ActionWord.Sell,
        ["openshort"] = ActionWord.Sell, ["shortopen"] = ActionWord.Sell, ["goshort"] = ActionWord.Sell,
        ["selltoopen"] = ActionWord.Sell, ["sellshort"] = ActionWord.Sell, ["selllimit"] = ActionWord.Sell, ["sellstop"] = ActionWord.Sell,

        ["close"] = ActionWord.Close, ["exit"] = ActionWord.Close, ["flat"] = ActionWord.Close, ["flatten"] = ActionWord.Close,
        ["exitlong"] = ActionWord.Close, ["exitshort"] = ActionWord.Close, ["closelong"] = ActionWord.Close,
        ["closeshort"] = ActionWord.Close, ["longexit"] = ActionWord.Close, ["shortexit"] = ActionWord.Close,
        ["longclose"] = ActionWord.Close, ["shortclose"] = ActionWord.Close, ["closeall"] = ActionWord.Close,
        ["exitall"] = ActionWord.Close, ["closeposition"] = ActionWord.Close, ["exitposition"] = ActionWord.Close,
        ["closelongshort"] = ActionWord.Close, ["selltoclose"] = ActionWord.Close, ["buytoclose"] = ActionWord.Close,
        ["buytocover"] = ActionWord.Close, ["cover"] = ActionWord.Close,

        ["enter"] = ActionWord.Enter, ["entry"] = ActionWord.Enter, ["open"] = ActionWord.Enter,
    };

    private static readonly Dictionary<string, PositionWord> Positions = new(StringComparer.Ordinal)
    {
        ["long"] = PositionWord.Long, ["bullish"] = PositionWord.Long,
        ["short"] = PositionWord.Short, ["bearish"] = PositionWord.Short,
        ["flat"] = PositionWord.Flat,
    };

    private static readonly Dictionary<string, ActionWord>.AlternateLookup<ReadOnlySpan<char>> WordLookup =
        Words.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly Dictionary<string, PositionWord>.AlternateLookup<ReadOnlySpan<char>> PositionLookup =
        Positions.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>A plain action word (buy/sell/long/short/close/exit/flat and their bot spellings); never an entry without a side.</summary>
    public static bool TryParse(string? raw, [NotNullWhen(true)] out SignalAction? action)
    {
        action = TryParseWord(raw, out var word) ? word switch
        {
            ActionWord.Buy => SignalAction.Buy,
            ActionWord.Sell => SignalAction.Sell,
            ActionWord.Close => SignalAction.Close,
            _ => null,
        } : null;
        return action is not null;
    }

    public static bool TryParseWord(string? raw, out ActionWord word)
    {
        word = default;
        Span<char> key = stackalloc char[24];
        return raw is not null && TryCompact(raw, key, out var length) && WordLookup.TryGetValue(key[..length], out word);
    }

    public static bool TryParsePosition(string? raw, out PositionWord position)
    {
        position = default;
        Span<char> key = stackalloc char[24];
        return raw is not null && TryCompact(raw, key, out var length) && PositionLookup.TryGetValue(key[..length], out position);
    }

    /// <summary>+1 for buy, −1 for sell, 0 for close: the sign the engine multiplies by.</summary>
    public static int Direction(this SignalAction action) => action switch
    {
        SignalAction.Buy => 1,
        SignalAction.Sell => -1,
        _ => 0,
    };

    /// <summary>Lower case without '-', '_' and spaces; false when it does not fit (no word we know is that long).</summary>
    private static bool TryCompact(string raw, Span<char> key, out int length)
    {
        length = 0;
        foreach (var c in raw.AsSpan().Trim())
        {
            if (c is '-' or '_' or ' ')
            {
                continue;
            }

            if (length == key.Length)
            {
                return false;
            }

            key[length++] = char.ToLowerInvariant(c);
        }

        return length > 0;
    }
}

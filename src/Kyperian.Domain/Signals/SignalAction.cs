using System.Diagnostics.CodeAnalysis;

namespace Kyperian.Domain.Signals;

/// <summary>What an alert asks for. Long/short and exit/flat are the same intents under the names bots use.</summary>
public enum SignalAction
{
    Buy,
    Sell,
    Close,
}

public static class SignalActions
{
    public const string Accepted = "buy, sell, long, short, close, exit or flat";

    public static bool TryParse(string? raw, [NotNullWhen(true)] out SignalAction? action)
    {
        action = raw is null ? null : Parse(raw.AsSpan().Trim());
        return action is not null;
    }

    /// <summary>+1 for buy, −1 for sell, 0 for close: the sign the engine multiplies by.</summary>
    public static int Direction(this SignalAction action) => action switch
    {
        SignalAction.Buy => 1,
        SignalAction.Sell => -1,
        _ => 0,
    };

    private static SignalAction? Parse(ReadOnlySpan<char> s)
    {
        if (s.Equals("buy", StringComparison.OrdinalIgnoreCase) || s.Equals("long", StringComparison.OrdinalIgnoreCase))
        {
            return SignalAction.Buy;
        }

        if (s.Equals("sell", StringComparison.OrdinalIgnoreCase) || s.Equals("short", StringComparison.OrdinalIgnoreCase))
        {
            return SignalAction.Sell;
        }

        if (s.Equals("close", StringComparison.OrdinalIgnoreCase)
            || s.Equals("exit", StringComparison.OrdinalIgnoreCase)
            || s.Equals("flat", StringComparison.OrdinalIgnoreCase))
        {
            return SignalAction.Close;
        }

        return null;
    }
}

using System.Diagnostics.CodeAnalysis;

namespace Kyperian.Api.Application.Notifications;

/// <summary>What happened. Its code (<c>decision.execute</c>…) is what settings, headers and payloads name.</summary>
public enum NotificationEventType
{
    DecisionExecute,
    DecisionVeto,
    RiskWarning,
    RiskBreach,
    RiskHalt,
    RiskResume,

    /// <summary>A signal or a delivery gave up.</summary>
    SystemDeadLetter,

    /// <summary>No alert arrived for <c>Kyperian:Notify:SilenceHours</c>.</summary>
    SystemSilence,
}

public static class NotificationEventTypes
{
    public static readonly IReadOnlyList<NotificationEventType> All = Enum.GetValues<NotificationEventType>();

    /// <summary>What is sent when <c>Kyperian:Notify:Events</c> is not set: executions, risk and give-ups, not vetoes or silence.</summary>
    public static readonly IReadOnlySet<NotificationEventType> Defaults = new HashSet<NotificationEventType>
    {
        NotificationEventType.DecisionExecute,
        NotificationEventType.RiskWarning,
        NotificationEventType.RiskBreach,
        NotificationEventType.RiskHalt,
        NotificationEventType.RiskResume,
        NotificationEventType.SystemDeadLetter,
    };

    public static string Code(this NotificationEventType type) => type switch
    {
        NotificationEventType.DecisionExecute => "decision.execute",
        NotificationEventType.DecisionVeto => "decision.veto",
        NotificationEventType.RiskWarning => "risk.warning",
        NotificationEventType.RiskBreach => "risk.breach",
        NotificationEventType.RiskHalt => "risk.halt",
        NotificationEventType.RiskResume => "risk.resume",
        NotificationEventType.SystemDeadLetter => "system.deadletter",
        NotificationEventType.SystemSilence => "system.silence",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static bool TryParse(string? code, out NotificationEventType type)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.Code(), code?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                type = candidate;
                return true;
            }
        }

        type = default;
        return false;
    }

    /// <summary>
    /// A setting's list of event codes, separated by commas, semicolons or spaces; <c>*</c> is every event.
    /// Null or blank is <paramref name="unset"/>.
    /// </summary>
    public static bool TryParseList(
        string? setting,
        IReadOnlySet<NotificationEventType> unset,
        [NotNullWhen(true)] out IReadOnlySet<NotificationEventType>? types,
        [NotNullWhen(false)] out string? unknown)
    {
        unknown = null;
        if (string.IsNullOrWhiteSpace(setting))
        {
            types = unset;
            return true;
        }

        var parsed = new HashSet<NotificationEventType>();
        foreach (var item in setting.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (item == "*")
            {
                parsed.UnionWith(All);
            }
            else if (TryParse(item, out var type))
            {
                parsed.Add(type);
            }
            else
            {
                types = null;
                unknown = item;
                return false;
            }
        }

        types = parsed;
        return true;
    }
}

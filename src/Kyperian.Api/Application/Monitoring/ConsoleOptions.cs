namespace Kyperian.Api.Application.Monitoring;

/// <summary>How <c>GET /events</c> answers.</summary>
public enum EventsMode
{
    /// <summary>One long response: events as they happen, until the client leaves.</summary>
    Stream,

    /// <summary>
    /// What is new since the client's <c>Last-Event-ID</c>, then the response ends and the client asks again after
    /// <c>retry</c>: polling over the same protocol, for hosts that buffer whole responses (AWS Lambda behind API Gateway).
    /// </summary>
    Snapshot,
}

/// <summary><c>Kyperian:Console</c>: the operator console page and its live events.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Kyperian:Console";

    /// <summary>Serve the page at <c>GET /console</c> (roles all and api).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the event stream looks for new decisions and a changed risk state.</summary>
    public int PollMilliseconds { get; set; } = 1000;

    /// <summary>How often the event stream runs the health checks to report a change.</summary>
    public int HealthCheckSeconds { get; set; } = 5;

    /// <summary>Stream, or Snapshot under AWS Lambda unless set.</summary>
    public EventsMode? EventsMode { get; set; }

    /// <summary>With <see cref="Monitoring.EventsMode.Snapshot"/>: how long the client waits before asking again.</summary>
    public int SnapshotRetryMilliseconds { get; set; } = 3000;
}

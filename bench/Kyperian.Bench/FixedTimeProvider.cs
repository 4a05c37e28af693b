namespace Kyperian.Bench;

/// <summary>A clock that never moves, so every iteration sees the same "now" (no stale or future surprises).</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Kyperian.Api.Tests.Http.Infrastructure;

/// <summary>The app on a test clock the scenarios move forward by hand: bars, cooldowns and staleness without waiting.</summary>
public sealed class ClockedFixture : KyperianFactory
{
    public ClockedFixture()
        : this(new FakeTimeProvider(DateTimeOffset.UtcNow))
    {
    }

    private ClockedFixture(FakeTimeProvider clock)
        : base(LoneAlertsDecide, services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(clock);
        })
    {
        Clock = clock;
    }

    public FakeTimeProvider Clock { get; }
}

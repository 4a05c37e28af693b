using Kyperian.Api.Infrastructure.Embedded;
using Kyperian.Domain.Decisions;
using Kyperian.Domain.Ports;
using Kyperian.Domain.Signals;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kyperian.Api.Tests.Http.Infrastructure;

/// <summary>Switches for injected backend faults: while a switch is down, that backend throws like an unreachable server.</summary>
public sealed class BackendSwitches
{
    private volatile bool _storeDown;
    private volatile bool _busDown;

    public bool StoreDown { get => _storeDown; set => _storeDown = value; }

    public bool BusDown { get => _busDown; set => _busDown = value; }

    /// <summary>Puts the real embedded store and bus behind the switches.</summary>
    public void AddTo(IServiceCollection services)
    {
        services.RemoveAll<ISignalStore>();
        services.RemoveAll<IEventBus>();
        services.AddSingleton<ISignalStore>(sp => new FaultySignalStore(sp.GetRequiredService<SqliteSignalStore>(), this));
        services.AddSingleton<IEventBus>(sp => new FaultyEventBus(sp.GetRequiredService<InProcessBus>(), this));
    }

    private sealed class FaultySignalStore(SqliteSignalStore inner, BackendSwitches switches) : ISignalStore
    {
        public Task<bool> TryAddAsync(Signal signal, PublishState state, string? rawAlert, CancellationToken cancellationToken) =>
            Up() ? inner.TryAddAsync(signal, state, rawAlert, cancellationToken) : Down<bool>();

        public Task<string?> GetRawAlertAsync(string signalId, CancellationToken cancellationToken) =>
            Up() ? inner.GetRawAlertAsync(signalId, cancellationToken) : Down<string?>();

        public Task DropRawAlertAsync(string signalId, CancellationToken cancellationToken) =>
            Up() ? inner.DropRawAlertAsync(signalId, cancellationToken) : Down<bool>();

        public Task<Signal?> GetAsync(string signalId, CancellationToken cancellationToken) =>
            Up() ? inner.GetAsync(signalId, cancellationToken) : Down<Signal?>();

        public Task<IReadOnlyList<Signal>> ListBySymbolAsync(Symbol symbol, int limit, CancellationToken cancellationToken) =>
            Up() ? inner.ListBySymbolAsync(symbol, limit, cancellationToken) : Down<IReadOnlyList<Signal>>();

        public Task MarkPublishedAsync(string signalId, CancellationToken cancellationToken) =>
            Up() ? inner.MarkPublishedAsync(signalId, cancellationToken) : Down<bool>();

        public Task<IReadOnlyList<Signal>> ListPendingAsync(DateTimeOffset receivedBefore, int limit, CancellationToken cancellationToken) =>
            Up() ? inner.ListPendingAsync(receivedBefore, limit, cancellationToken) : Down<IReadOnlyList<Signal>>();

        private bool Up() => !switches.StoreDown;

        private static Task<T> Down<T>() => Task.FromException<T>(new IOException("injected fault: the signal store is unreachable"));
    }

    private sealed class FaultyEventBus(InProcessBus inner, BackendSwitches switches) : IEventBus
    {
        public Task PublishSignalAsync(Signal signal, CancellationToken cancellationToken) =>
            switches.BusDown ? Task.FromException(new IOException("injected fault: the bus is unreachable")) : inner.PublishSignalAsync(signal, cancellationToken);

        public Task PublishDecisionAsync(Decision decision, CancellationToken cancellationToken) =>
            switches.BusDown ? Task.FromException(new IOException("injected fault: the bus is unreachable")) : inner.PublishDecisionAsync(decision, cancellationToken);
    }
}

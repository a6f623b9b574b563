using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Schedules;
using Orchestrator.Core.Windows;
using Orchestrator.Data.Access;
using Orchestrator.Data.Agents;
using Orchestrator.Data.Audit;
using Orchestrator.Data.DeliveryOptimization;
using Orchestrator.Data.Endpoints;
using Orchestrator.Data.Groups;
using Orchestrator.Data.Metrics;
using Orchestrator.Data.Notifications;
using Orchestrator.Data.Reports;
using Orchestrator.Data.Runs;
using Orchestrator.Data.Scans;
using Orchestrator.Data.Traffic;
using Orchestrator.Data.Windows;

namespace Orchestrator.Data.Tests.Backends;

/// <summary>
/// One fresh, migrated database of one backend and the stores over it, resolved from the backend's own service
/// registration (<c>AddOrchestratorSqlite</c> / <c>AddOrchestratorPostgres</c>), so that a store added to a backend
/// needs no change here. A scenario suite sees only this and the store interfaces.
/// </summary>
public abstract class StoreBackend : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2027, 3, 9, 21, 0, 0, TimeSpan.Zero);

    private ServiceProvider? _services;

    public abstract string Name { get; }

    public FakeTimeProvider Time { get; } = new(Start);

    public IEndpointStore Endpoints => Store<IEndpointStore>();

    public IGroupStore Groups => Store<IGroupStore>();

    public IWindowStore Windows => Store<IWindowStore>();

    public IRunStore Runs => Store<IRunStore>();

    public IAuditLog Audit => Store<IAuditLog>();

    public IAgentStore Agents => Store<IAgentStore>();

    public ITrafficStore Traffic => Store<ITrafficStore>();

    public IScanStore Scans => Store<IScanStore>();

    public IApiKeyStore ApiKeys => Store<IApiKeyStore>();

    public IRunReportStore Reports => Store<IRunReportStore>();

    public IDeliveryOptimizationStore DeliveryOptimization => Store<IDeliveryOptimizationStore>();

    public IWebhookStore Webhooks => Store<IWebhookStore>();

    public IHookCallStore HookCalls => Store<IHookCallStore>();

    public IFleetGauges FleetGauges => Store<IFleetGauges>();

    public static WindowDefinition Window(string name, params string[] groups) => new()
    {
        Name = name,
        Schedule = new WindowSchedule { Cron = "0 0 22 ? * TUE#2", TimeZone = "Europe/Berlin", Duration = TimeSpan.FromHours(4) },
        Groups = groups,
    };

    public T Store<T>()
        where T : notnull =>
        (_services ?? throw new InvalidOperationException("The backend is not started.")).GetRequiredService<T>();

    public async Task<WindowRecord> CreateWindowAsync(string name) =>
        await Windows.CreateAsync(Window(name), [], "test", Time.GetUtcNow(), TestContext.Current.CancellationToken);

    /// <summary>
    /// One number from plain SQL over the product's tables, for facts no store reads back (rows kept outside every
    /// run, report ids remembered). Only SQL both backends speak alike belongs here; what a store can read, a scenario
    /// reads through the store.
    /// </summary>
    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = await OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), CultureInfo.InvariantCulture);
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Registers the backend's stores (and anything they need) and migrates the fresh database.</summary>
    protected async Task StartAsync(Action<IServiceCollection> register, Func<IServiceProvider, Task> migrate)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        register(services);
        _services = services.BuildServiceProvider();
        await migrate(_services);
    }

    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);
}

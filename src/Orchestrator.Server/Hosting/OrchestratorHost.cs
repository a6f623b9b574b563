using System.Text.Json.Serialization;
using System.Text.Json;
using Hangfire.Dashboard;
using Hangfire;
using Microsoft.AspNetCore.DataProtection;
using Orchestrator.Data;
using Orchestrator.Protocol;
using Orchestrator.Server.Access;
using Orchestrator.Server.Agents;
using Orchestrator.Server.Api;
using Orchestrator.Server.Cluster;
using Orchestrator.Server.Endpoints;
using Orchestrator.Server.Groups;
using Orchestrator.Server.Hosting.Storage;
using Orchestrator.Server.Health;
using Orchestrator.Server.Metrics;
using Orchestrator.Server.Notifications;
using Orchestrator.Server.Runs;
using Orchestrator.Server.Scans;
using Orchestrator.Server.Scheduling;
using Orchestrator.Server.Windows;
using Quartz;

namespace Orchestrator.Server.Hosting;

/// <summary>Everything the server registers and maps; Program only calls these.</summary>
internal static class OrchestratorHost
{
    public static void AddOrchestrator(this WebApplicationBuilder builder, OrchestratorOptions settings, IStorageBackend storage)
    {
        DataFolder.Prepare(settings, storage.DataFiles);
        if (settings.LogFormat == "json")
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            });
        }

        var services = builder.Services;
        services.AddOptions<OrchestratorOptions>().BindConfiguration(OrchestratorOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(storage);
        storage.AddStores(services);

        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = settings.MaxRequestBodyBytes);
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        });
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            TooLargeProblem.Describe(context);
            ProblemBodies.WithoutInternals(context);
        });
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddExceptionHandler<StoreBusyExceptionHandler>();
        services.AddExceptionHandler<UnexpectedErrorHandler>();
        services.AddOpenApi();
        services.AddDataProtection().SetApplicationName("Orchestrator");
        services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<IServiceProvider>((o, sp) => o.XmlRepository = SharedKeyRepository.Or(sp, () => new PrivateKeyRepository(DataFolder.KeysDirectory(settings), sp.GetRequiredService<ILoggerFactory>())));
        // HTTPS answers tell browsers to use nothing else for a year; plain-HTTP answers (loopback installs) carry nothing.
        services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
        services.AddOrchestratorAccess();
        services.AddOrchestratorRateLimits(settings);

        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(o => o.InstanceName = settings.SchedulerName);
            q.UsePersistentStore(store =>
            {
                store.ConfigureStore(o => o.StoreJobDataAsStrings = true);
                storage.UseForQuartz(store);
                store.UseSystemTextJsonSerializer();
                store.ProvisionSchema();
            });
            // RequestRecovery: a firing cut short by a crash runs again at start-up (every job here is idempotent),
            // so a window's chain of occurrences never breaks between a fire and the scheduling of the next one.
            q.AddJob<OccurrenceJob>(j => j.WithIdentity(OccurrenceJob.Key).StoreDurably().RequestRecovery());
            q.AddJob<RunEndJob>(j => j.WithIdentity(RunEndJob.Key).StoreDurably().RequestRecovery());
            q.AddJob<RunCutoffJob>(j => j.WithIdentity(RunCutoffJob.Key).StoreDurably().RequestRecovery());
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);

        // Hangfire's defaults resolve the storage and the job activator from process-wide statics; registering
        // this host's own instances first keeps two hosts in one process (tests) from running each other's jobs.
        // The storage is built once the host's Hangfire configuration (its log provider) is in place.
        services.AddSingleton<JobStorage>(sp =>
        {
            sp.GetRequiredService<IGlobalConfiguration>();
            return storage.CreateJobStorage();
        });
        services.AddSingleton<JobActivator>(sp => new Hangfire.AspNetCore.AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire(c => c
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        services.AddHangfireServer(o =>
        {
            o.WorkerCount = settings.JobWorkers;
            o.SchedulePollingInterval = settings.JobPollInterval;
            o.ServerName = $"orchestrator-{Environment.MachineName}";
        });
        // Each run's scan dispatch job waits between waves for most of the run: on workers of their own, it never
        // holds up an opening or a closing.
        services.AddHangfireServer(o =>
        {
            o.Queues = [ScanDispatcher.Queue];
            o.WorkerCount = settings.ScanDispatchWorkers;
            o.SchedulePollingInterval = settings.JobPollInterval;
            o.ServerName = $"orchestrator-scans-{Environment.MachineName}";
        });

        services.AddSingleton<WindowScheduler>();
        services.AddSingleton<RunTriggers>();
        services.AddSingleton<RunStarter>();
        services.AddSingleton<RunCloser>();
        services.AddSingleton<EndpointDirectory>();
        services.AddHostedService<EndpointDirectoryRefresher>();
        services.AddSingleton<RunMembership>();
        services.AddSingleton<StartupReconciler>();
        services.AddSingleton<ScanDispatcher>();
        services.AddSingleton<RunJobRecovery>();
        services.AddTransient<RunJobs>();
        services.AddOrchestratorClusterSignals();
        services.AddSingleton<DesiredStateNotifier>();
        services.AddOrchestratorMetrics();
        services.AddSingleton<DesiredStates>();
        services.AddSingleton<PollAcknowledgements>();
        services.AddHostedService(sp => sp.GetRequiredService<PollAcknowledgements>());
        services.AddSingleton<AgentRateLimiter>();
        services.AddSingleton<AgentAuthentication>();
        services.AddOrchestratorNotifications(builder.Configuration);
    }

    public static async Task PrepareAsync(this WebApplication app)
    {
        var log = app.Services.GetRequiredService<ILogger<OrchestratorOptions>>();
        var storage = app.Services.GetRequiredService<IStorageBackend>();
        var settings = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OrchestratorOptions>>().Value;
        var applied = await storage.MigrateAsync(app.Services, settings.MigrationsDirectory, CancellationToken.None);
        log.LogInformation("{Database}: {Applied}", storage.Description, applied.Count == 0 ? "up to date" : $"applied {string.Join(", ", applied)}");
        await AccessSetup.BootstrapAsync(app.Services, app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OrchestratorOptions>>().Value, log);
        await app.Services.GetRequiredService<StartupReconciler>().ReconcileAsync(CancellationToken.None);

        // Once the host runs, not before: Hangfire's SQLite storage written to before its servers start (after a kill)
        // held the start-up for over a minute.
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        var runJobs = app.Services.GetRequiredService<RunJobRecovery>();
        var alerts = app.Services.GetRequiredService<Notifications.AlertRecovery>();
        var deliveries = app.Services.GetRequiredService<Notifications.DeliveryRecovery>();
        lifetime.ApplicationStarted.Register(() => _ = Task.Run(async () =>
        {
            try
            {
                // Where the job storage returns a dead process's jobs itself, a "Processing" job is left alone: requeuing
                // it could hand a job that another node is running to a second worker.
                await storage.RunRecoveryAloneAsync(
                    async stopping =>
                    {
                        await runJobs.RecoverAsync(requeueCutShort: !storage.ReturnsInterruptedJobs, stopping);
                        await alerts.RecoverAsync(stopping);
                        await deliveries.RecoverAsync(requeueCutShort: !storage.ReturnsInterruptedJobs, stopping);
                    },
                    lifetime.ApplicationStopping);
            }
            catch (Exception e)
            {
                // Catch-all on purpose: a failure here must not stop the server. A cut-short job still runs again after
                // Hangfire's invisibility timeout, and the next start queues a missing one.
                log.LogError(e, "Could not check the jobs that runs and webhook deliveries wait on, or the runs' alerts");
            }
        }));
    }

    public static void MapOrchestrator(this WebApplication app, OrchestratorOptions settings)
    {
        app.UseExceptionHandler();
        app.UseHsts();
        app.UseSecurityHeaders();
        // Problem bodies for answers that have none (404, 405, a 413 the framework answers itself). Not for the state
        // long-poll, whose every answer has a body or is a 304: status-code pages would keep an items dictionary and a
        // frame alive in every parked poll.
        app.UseWhen(http => !Agents.AgentCredentialEndpoint.IsLongPoll(http), pages => pages.UseStatusCodePages());
        app.UseOpsAccess();
        app.UseAgentCredentials();

        app.MapOpenApi().RequireAuthorization(Policies.Viewer);
        app.MapHealth();
        app.MapMetrics();
        app.MapSignIn();

        var api = app.MapGroup("/api/v1").RequireAuthorization(Policies.Viewer);
        api.MapEndpointsApi();
        api.MapGroupsApi();
        api.MapWindowsApi();
        api.MapRunsApi();
        api.MapAgentsAdminApi();
        api.MapAccessApi();
        Calendar.CalendarApi.MapCalendarApi(api);
        api.MapWebhooksApi();
        // Reading needs a viewer key; every change needs an operator (admin routes add their own policy on top).
        ((IEndpointConventionBuilder)api).Finally(endpoint =>
        {
            if (endpoint.Metadata.OfType<HttpMethodMetadata>().Any(m => m.HttpMethods.Any(method => method != HttpMethods.Get)))
            {
                endpoint.Metadata.Add(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute(Policies.Operator));
                endpoint.Metadata.Add(new Microsoft.AspNetCore.RateLimiting.EnableRateLimitingAttribute(RateLimits.Writes));
            }
        });
        app.MapAgentApi();
        Reports.ReportsApi.MapReports(app);
        Home.HomePage.MapHome(app);

        var dashboard = app.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            DashboardTitle = "Orchestrator jobs",
            Authorization = [],
            IsReadOnlyFunc = context => !Policies.OperatorRoles.Any(context.GetHttpContext().User.IsInRole),
            AppPath = "/",
        });
        if (settings.DashboardAllowAnonymous)
        {
            dashboard.AllowAnonymous();
        }
        else
        {
            dashboard.RequireAuthorization(Policies.Viewer);
        }
    }

    /// <summary>The agent routes' own credential check (<see cref="Agents.AgentAuthentication"/>), after routing like
    /// <see cref="UseOpsAccess"/>; every other request passes by.</summary>
    private static void UseAgentCredentials(this WebApplication app)
    {
        var credentials = app.Services.GetRequiredService<Agents.AgentAuthentication>();
        app.Use(next => http => Agents.AgentCredentialEndpoint.Is(http) ? credentials.InvokeAsync(http, next) : next(http));
    }

    /// <summary>
    /// Ops keys and sessions (authentication, authorization, rate limits) for every route but the agents' own
    /// (<see cref="Agents.AgentCredentialEndpoint"/>), which <see cref="UseAgentCredentials"/> authenticates and limits. On
    /// an agent route this middleware only found no ops key, yet kept its per-request state alive in every parked
    /// long-poll, and an opening answers 10,000 of them and parks 10,000 more at once (docs/decisions.md). Routing has
    /// run by then (the host puts it first), so the route is known; a request that matches no route still gets the
    /// fallback policy.
    /// </summary>
    private static void UseOpsAccess(this WebApplication app)
    {
        app.UseWhen(http => !Agents.AgentCredentialEndpoint.Is(http), ops =>
        {
            ops.UseAuthentication();
            ops.UseAuthorization();
            ops.UseRateLimiter();
        });

        // The host adds authentication and authorization at the front of the pipeline unless the application did; in a
        // branch it cannot see that they were (the branch has its own copy of these properties), so it is told here.
        // AgentRoutePipelineTests fails if a framework update renames them and the middleware runs twice again.
        var properties = ((IApplicationBuilder)app).Properties;
        properties["__AuthenticationMiddlewareSet"] = true;
        properties["__AuthorizationMiddlewareSet"] = true;
    }
}

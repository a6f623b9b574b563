using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orchestrator.Server.Tests.Infrastructure;

namespace Orchestrator.Server.Tests.Api;

/// <summary>
/// An unexpected error (here a database whose groups table is gone) answers 500 with a body that says only that it
/// happened and under which trace id, and the server log has the details under that same id: in the line itself, as
/// on-call reads the console (which prints no scopes).
/// </summary>
public sealed class UnexpectedErrorTests
{
    [Fact]
    public async Task AnUnexpectedErrorAnswersATraceIdThatTheServerLogsWithTheDetails()
    {
        var sink = new RecordingLoggerProvider();
        await using var root = new OrchestratorFactory();
        await using var factory = root.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(sink)));
        using var admin = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/groups", TestContext.Current.CancellationToken)).StatusCode);
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(root.DataDirectory, "orchestrator.db")};Pooling=false"))
        {
            await db.OpenAsync(TestContext.Current.CancellationToken);
            await using var rename = db.CreateCommand();
            rename.CommandText = "ALTER TABLE groups RENAME TO groups_lost";
            await rename.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var (status, body) = await admin.SendAsync(HttpMethod.Get, "/api/v1/groups", null);

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        var traceId = body!["traceId"]!.GetValue<string>();
        var text = body.ToJsonString();
        Assert.Contains(traceId, body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("groups", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Sqlite", text, StringComparison.OrdinalIgnoreCase);
        var logged = sink.Entries.Where(e => e.Level == LogLevel.Error && e.Message.Contains(traceId, StringComparison.Ordinal)).ToList();
        var line = Assert.Single(logged);
        Assert.Contains("no such table: groups", line.Exception, StringComparison.Ordinal);
        Assert.Contains("GET /api/v1/groups", line.Message, StringComparison.Ordinal);
        // Logged once: the framework's middleware does not log it again without the id.
        Assert.Single(sink.Entries, e => e.Level >= LogLevel.Error && e.Exception.Contains("no such table", StringComparison.Ordinal));
    }

    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, LogLevel Level, string Message, string Exception)> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(RecordingLoggerProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                provider.Entries.Enqueue((category, logLevel, formatter(state, exception), exception?.ToString() ?? ""));
        }
    }
}

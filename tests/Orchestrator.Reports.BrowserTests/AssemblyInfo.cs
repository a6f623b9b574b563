// Hangfire keeps its job activator, log provider and serializer settings in process-wide statics, so in-process servers
// run one at a time, as in Orchestrator.Server.Tests: run concurrently, a server's Quartz end trigger once queued its
// close job through a client whose activator belonged to another test's disposed server (ObjectDisposedException), and
// the run never closed.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]

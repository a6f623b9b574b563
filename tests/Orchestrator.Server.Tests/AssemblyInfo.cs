// Hangfire keeps its log provider and serializer settings in process-wide statics, so in-process servers run one
// at a time: a server's background workers must never log through a disposed server's logger factory.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]

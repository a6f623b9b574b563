namespace Orchestrator.EndToEnd.Tests.Probes;

/// <summary>Every byte the test moved over 7680, per (serving host, receiving host): what the run's report must show.</summary>
public sealed class TrafficLedger
{
    private readonly Dictionary<(string Serving, string Receiving), long> bytes = [];
    private readonly Lock sync = new();

    public void Add(string serving, string receiving, long count)
    {
        lock (sync)
        {
            bytes[(serving, receiving)] = bytes.GetValueOrDefault((serving, receiving)) + count;
        }
    }

    public IReadOnlyDictionary<(string Serving, string Receiving), long> Pairs
    {
        get
        {
            lock (sync)
            {
                return new Dictionary<(string, string), long>(bytes);
            }
        }
    }
}

namespace Orchestrator.Data.Keys;

/// <summary>
/// The key ring that protects dashboard cookies, antiforgery tokens and stored webhook secrets (ASP.NET Core Data
/// Protection's XML key elements), shared by every server node: a cookie issued or a secret encrypted by one node must
/// be readable by all. One node (SQLite) keeps the ring in its data folder instead and registers none.
/// </summary>
/// <remarks>Synchronous: Data Protection reads and writes its key repository synchronously, rarely (at start-up, when
/// a key is created, and when it meets a key it does not know).</remarks>
public interface IKeyRingStore
{
    /// <summary>Every key element stored, as XML text, oldest first.</summary>
    IReadOnlyList<string> ListAll();

    /// <summary>Stores a new key element under its unique <paramref name="name"/>; a name stored before is kept as it was.</summary>
    void Add(string name, string xml, DateTimeOffset now);
}

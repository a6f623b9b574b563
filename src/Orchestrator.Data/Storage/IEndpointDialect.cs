using System.Data;
using static Orchestrator.Data.Storage.EndpointRows;

namespace Orchestrator.Data.Storage;

/// <summary>What the endpoint writes in <see cref="EndpointQueries"/> do differently on each backend: the locks several
/// nodes need (SQLite runs one writer at a time) and the statements on the address index, whose SQL differs.</summary>
internal interface IEndpointDialect
{
    /// <summary>Taken first by every endpoint write, so that held addresses and hostnames are checked, then written, one write at a time.</summary>
    Task LockForWriteAsync(IDbConnection connection, IDbTransaction transaction);

    /// <summary>Taken first by a deletion: also keeps a run from freezing the endpoint as a member while it is deleted.</summary>
    Task LockForDeleteAsync(IDbConnection connection, IDbTransaction transaction, long id);

    /// <summary>Which of <paramref name="addresses"/> another endpoint than <paramref name="self"/> holds, by endpoint id.</summary>
    Task<IEnumerable<HolderRow>> HoldersAsync(IDbConnection connection, IDbTransaction transaction, IReadOnlyList<string> addresses, long? self);

    /// <summary>Adds the endpoint's addresses to the (emptied) address index.</summary>
    Task IndexAddressesAsync(IDbConnection connection, IDbTransaction transaction, long id, IReadOnlyList<string> addresses);
}

using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Orchestrator.Server.Hosting;

/// <summary>
/// The cookie- and antiforgery-protection keys, kept in the data folder (not the home directory, where a second
/// install or a backup of the data folder would miss them) and narrowed to 0600 as each one is written.
/// </summary>
internal sealed class PrivateKeyRepository(string folder, ILoggerFactory loggers) : IXmlRepository
{
    private readonly FileSystemXmlRepository _files = new(new DirectoryInfo(folder), loggers);

    public IReadOnlyCollection<XElement> GetAllElements() => _files.GetAllElements();

    public void StoreElement(XElement element, string friendlyName)
    {
        _files.StoreElement(element, friendlyName);
        DataFolder.MakePrivateFiles(folder);
    }
}

using Hangfire.Dashboard;

namespace Orchestrator.Server.Access;

/// <summary>
/// Adds "Sign out" to the Hangfire dashboard's navigation, leading to /logout (a page whose button posts the sign-out
/// with an antiforgery token). Hangfire keeps the menu in a process-wide list: registered once.
/// </summary>
internal static class SignOutMenu
{
    private static int _registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        // The dashboard is mounted at /hangfire; its own Url helper prefixes that, so the root is one level up.
        NavigationMenu.Items.Add(page => new MenuItem("Sign out", page.Url.To("/../logout")));
    }
}

using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace Orchestrator.Server.Tests.Infrastructure;

/// <summary>
/// Wraps a registered singleton service (the real store) so that the first call of one of its methods throws, as a
/// store that is briefly unreachable would, or as a server killed at that point leaves things: every other call goes
/// to the real service.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1852", Justification = "DispatchProxy derives the proxy type from it: it must not be sealed")]
internal class FirstCallFails<T> : DispatchProxy
    where T : class
{
    private T _inner = null!;
    private string _method = "";
    private int _failed;

    /// <summary>Whether the fault happened (the method was called at least once).</summary>
    public bool Failed => Volatile.Read(ref _failed) == 1;

    public static FirstCallFails<T> Decorate(IServiceCollection services, string method)
    {
        ArgumentNullException.ThrowIfNull(services);
        var registered = services.Last(d => d.ServiceType == typeof(T));
        services.Remove(registered);
        var proxy = Create<T, FirstCallFails<T>>();
        var fault = (FirstCallFails<T>)(object)proxy;
        fault._method = typeof(T).GetMethod(method)?.Name ?? throw new ArgumentException($"{typeof(T).Name} has no method {method}", nameof(method));
        services.AddSingleton(sp =>
        {
            fault._inner = (T)(registered.ImplementationInstance
                ?? registered.ImplementationFactory?.Invoke(sp)
                ?? ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!));
            return proxy;
        });
        return fault;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == _method && Interlocked.Exchange(ref _failed, 1) == 0)
        {
            throw new InvalidOperationException($"{typeof(T).Name}.{_method} failed on purpose (test fault)");
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
            throw;
        }
    }
}

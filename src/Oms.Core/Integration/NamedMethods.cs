using Microsoft.Extensions.DependencyInjection;

namespace Oms.Integration;

/// <summary>
/// Finds a protocol method (<see cref="OpenApi.IOpenApiMethod"/>, <see cref="Matrix.IMatrixMethod"/>) by
/// its name without building every registered method on every call: the first lookup in the process
/// builds them all once to learn their names (the first registration of a name wins), after that only
/// the method asked for is created, from the caller's scope. Registered as a singleton per host.
/// </summary>
public sealed class NamedMethods<T>(Func<T, string> nameOf) where T : class
{
    private Dictionary<string, ObjectFactory>? _factories;

    /// <summary>The method called <paramref name="name"/>, created in <paramref name="scope"/>; null when none has that name.</summary>
    public T? Find(IServiceProvider scope, string name)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var factories = Volatile.Read(ref _factories);
        if (factories is null)
        {
            factories = new Dictionary<string, ObjectFactory>(StringComparer.Ordinal);
            foreach (var m in scope.GetServices<T>())
                factories.TryAdd(nameOf(m), ActivatorUtilities.CreateFactory(m.GetType(), Type.EmptyTypes));
            Volatile.Write(ref _factories, factories);
        }
        return factories.TryGetValue(name, out var factory) ? (T)factory(scope, null) : null;
    }
}

using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Mail2Sms.Gateway.Storage;

/// <summary>A storage provider: opens its database from a connection string (or its default in the data folder).</summary>
public interface IStorageProvider
{
    /// <summary>The connection string used when <c>Database:ConnectionString</c> is not given.</summary>
    string DefaultConnectionString(string dataDirectory);

    /// <summary>Opens the database, not yet migrated.</summary>
    IStorage Open(string connectionString, TimeProvider clock);
}

/// <summary>
/// Names a provider of this assembly (declared beside its implementation, in <c>Storage/&lt;Provider&gt;/</c>), so that
/// choosing one by <c>Database:Provider</c> needs no code outside that folder to name it.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class StorageProviderAttribute(string name, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] Type type) : Attribute
{
    public string Name { get; } = name;

    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)]
    public Type Type { get; } = type;

    /// <summary>The provider used when <c>Database:Provider</c> is not given: the embedded one.</summary>
    public bool IsDefault { get; init; }
}

/// <summary>The storage providers this build knows, by <c>Database:Provider</c> name.</summary>
public static class StorageProviders
{
    private static readonly IReadOnlyList<StorageProviderAttribute> Known =
        [.. typeof(StorageProviders).Assembly.GetCustomAttributes<StorageProviderAttribute>().OrderBy(p => p.Name, StringComparer.Ordinal)];

    /// <summary>Every provider's name, the default first.</summary>
    public static IReadOnlyList<string> Names => [.. Known.OrderByDescending(p => p.IsDefault).Select(p => p.Name)];

    /// <summary>The provider named (any case), the default one for null; null when there is none of that name.</summary>
    public static IStorageProvider? Find(string? name) =>
        Known.FirstOrDefault(p => name is null ? p.IsDefault : p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } found
            ? (IStorageProvider)Activator.CreateInstance(found.Type)!
            : null;
}

namespace Mail2Sms.Gateway.Storage;

/// <summary>A provider's migrations, embedded from <c>Storage/&lt;Provider&gt;/Migrations/*.sql</c>: each named by its file, applied in name order.</summary>
internal static class EmbeddedMigrations
{
    /// <summary>The migrations of the provider whose folder is <paramref name="provider"/> (its namespace's last part) not in <paramref name="applied"/>, in order.</summary>
    public static IEnumerable<(string Version, string Sql)> Pending(string provider, IReadOnlySet<string> applied)
    {
        var assembly = typeof(EmbeddedMigrations).Assembly;
        var prefix = $"Mail2Sms.Gateway.Storage.{provider}.Migrations.";
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var version = name[prefix.Length..^".sql".Length];
            if (!applied.Contains(version))
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
                yield return (version, reader.ReadToEnd());
            }
        }
    }
}

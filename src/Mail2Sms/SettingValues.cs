using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Mail2Sms;

/// <summary>
/// How one configuration value is read, each refusal one sentence that names its key: the options of every
/// section are read through these, so a wrong value says the same thing whichever section it is in.
/// </summary>
internal static class SettingValues
{
    /// <summary>A whole number above 0, or <paramref name="fallback"/> when the key is not given.</summary>
    public static int Number(this IConfiguration configuration, string key, int fallback) =>
        configuration[key] is not { } text ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
        : throw new SettingsException($"{key} is '{text}'; it must be a whole number above 0.");

    /// <summary>A whole number of seconds above 0, or <paramref name="fallback"/> when the key is not given.</summary>
    public static TimeSpan Seconds(this IConfiguration configuration, string key, TimeSpan fallback) =>
        TimeSpan.FromSeconds(configuration.Number(key, (int)fallback.TotalSeconds));

    /// <summary>true or false (any case), or <paramref name="fallback"/> when the key is not given.</summary>
    public static bool Flag(this IConfiguration configuration, string key, bool fallback) =>
        configuration[key] is not { } text ? fallback
        : bool.TryParse(text, out var on) ? on
        : throw new SettingsException($"{key} is '{text}'; it must be true or false.");

    /// <summary>A list given as an array (in JSON, or Key:0, Key:1 ...) or as one comma-separated value; empty when not given.</summary>
    public static IReadOnlyList<string> List(this IConfiguration configuration, string key) =>
        configuration.GetSection(key).GetChildren().Select(c => c.Value).OfType<string>().ToList() is { Count: > 0 } items ? items
        : configuration[key] is { } list ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        : [];
}

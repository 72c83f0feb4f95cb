using System.Globalization;
using Mail2Sms.Core.Nodes;

namespace Mail2Sms.Gateway.Delivery;

/// <summary>
/// This machine's processes as Linux's <c>/proc</c> shows them. Where there is no <c>/proc</c> the space is unknown,
/// and a node is judged by its heartbeat alone.
/// </summary>
public static class LocalProcesses
{
    /// <summary>This process's space (kernel boot and PID namespace) and the start of any process in it.</summary>
    public static MachineProcesses Machine { get; } = new(ReadSpace(), StartOf);

    /// <summary>
    /// The start of the process with <paramref name="processId"/>: field 22 of <c>/proc/&lt;pid&gt;/stat</c>, clock ticks
    /// from boot to its start; null when there is none, or it is a zombie (dead, not yet reaped).
    /// </summary>
    public static string? StartOf(int processId)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/stat");
            // The command name, in parentheses, may hold spaces and ')': the fields that follow start after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length < 20 || fields[0] is "Z" or "X" ? null : fields[19];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // The boot (its start times count from it) and the PID namespace (its process IDs count in it).
    private static string? ReadSpace()
    {
        try
        {
            var boot = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
            return new FileInfo("/proc/self/ns/pid").LinkTarget is { } pidNamespace ? $"{boot} {pidNamespace}" : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

using System.Buffers;
using System.Net;
using System.Text;

namespace Mail2Sms.Gateway.Smtp;

/// <summary>The PROXY protocol's v1 header a load balancer sends first: <c>PROXY TCP4 203.0.113.9 10.0.0.1 40000 25</c>.</summary>
public static class ProxyHeader
{
    /// <summary>
    /// Reads the header line (without its CRLF); <paramref name="source"/> is the client's address, or
    /// null for <c>PROXY UNKNOWN</c> (the balancer's own health check: the peer's address stands).
    /// </summary>
    public static bool TryParse(ReadOnlySequence<byte> line, out IPAddress? source)
    {
        source = null;
        if (line.Length > 105)
        {
            return false;
        }

        var parts = Encoding.ASCII.GetString(line).Split(' ');
        switch (parts)
        {
            case ["PROXY", "UNKNOWN", ..]:
                return true;
            case ["PROXY", "TCP4" or "TCP6", var from, var to, var fromPort, var toPort]
                when IPAddress.TryParse(from, out var address) && IPAddress.TryParse(to, out _)
                    && (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) == (parts[1] == "TCP4")
                    && ushort.TryParse(fromPort, out _) && ushort.TryParse(toPort, out _):
                source = address;
                return true;
            default:
                return false;
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Mail2Sms.Tests.Shared;

namespace Mail2Sms.Tests;

/// <summary>
/// An SMSC the gateway did not write: the npm package <c>smpp</c> 0.5.1's server (<c>node/server.js</c> of the SMPP
/// interop tests, its protocol in their README) as a process on a free loopback port, every JSON line it prints kept,
/// commands written to its standard input. Disposing closes its input, which ends it.
/// </summary>
internal sealed class NodeSmsc : IAsyncDisposable
{
    private readonly Process _server;

    private NodeSmsc(Process server, int port) => (_server, Port) = (server, port);

    public int Port { get; }

    /// <summary>Every JSON line printed so far, in order.</summary>
    public ConcurrentQueue<JsonNode> Lines { get; } = new();

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "node");

    /// <summary>Installs the package if needed, starts the server with <paramref name="options"/> after its port, and waits until it listens.</summary>
    public static async Task<NodeSmsc> StartAsync(params string[] options)
    {
        await NodePackages.EnsureInstalledAsync(Folder, "smpp");
        var port = Waits.FreePort();
        var smsc = new NodeSmsc(NodePackages.Start(Folder, "node", ["server.js", port.ToString(CultureInfo.InvariantCulture), .. options]), port);
        var listening = new TaskCompletionSource();
        smsc._server.OutputDataReceived += (_, e) =>
        {
            if (e.Data == "listening")
            {
                listening.TrySetResult();
            }
            else if (e.Data?.StartsWith('{') == true)
            {
                smsc.Lines.Enqueue(JsonNode.Parse(e.Data)!);
            }
        };
        smsc._server.BeginOutputReadLine();
        smsc._server.BeginErrorReadLine();
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return smsc;
        }
        catch
        {
            await smsc.DisposeAsync();
            throw;
        }
    }

    /// <summary>The lines of every PDU of <paramref name="command"/> received, in order.</summary>
    public List<JsonNode> Received(string command) => [.. Lines.Where(l => l["received"]?.GetValue<string>() == command)];

    /// <summary>The fields of every submit_sm received, in order.</summary>
    public List<JsonNode> Submits() => [.. Received("submit_sm").Select(l => l["fields"]!)];

    /// <summary>Writes one command line (JSON) to the server.</summary>
    public async Task CommandAsync(string line)
    {
        await _server.StandardInput.WriteLineAsync(line);
        await _server.StandardInput.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _server.StandardInput.Close(); // EOF: the node server closes its sessions and exits
        await _server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _server.Dispose();
    }
}

using System.CommandLine;
using System.Globalization;
using System.Net;
using Mail2Sms.Smpp;

namespace Mail2Sms;

/// <summary><c>mail2sms smsc-sim</c>: the SMS centre simulator on its own, for trying an ESME (or the gateway) without a provider.</summary>
internal static class SmscSimCommand
{
    private static readonly string[] Outcomes = ["DELIVRD", "UNDELIV", "EXPIRED", "REJECTD"];

    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "The port to listen on.", DefaultValueFactory = _ => 2775 };
        var address = new Option<string>("--address") { Description = "The address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        var systemId = new Option<string>("--system-id") { Description = "The SMSC's system_id in bind responses.", DefaultValueFactory = _ => "SMSC" };
        var accept = new Option<string[]>("--accept")
        {
            Description = "Accept binds only as SYSTEM_ID:PASSWORD (repeatable); without it every bind is accepted.",
            AllowMultipleArgumentsPerToken = true,
        };
        var receiptDelay = new Option<double>("--receipt-delay") { Description = "Seconds from a submit to its receipt.", DefaultValueFactory = _ => 1 };
        var outcome = new Option<string>("--outcome") { Description = "The stat of every receipt: DELIVRD, UNDELIV, EXPIRED or REJECTD.", DefaultValueFactory = _ => "DELIVRD" };
        var command = new Command("smsc-sim", "Run the SMPP 3.4 SMS centre simulator until stopped (Ctrl+C).") { port, address, systemId, accept, receiptDelay, outcome };
        command.SetAction(async (parse, token) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var stat = parse.GetValue(outcome)!.ToUpperInvariant();
            if (!Outcomes.Contains(stat))
            {
                await error.WriteLineAsync($"--outcome is '{stat}'; it must be one of {string.Join(", ", Outcomes)}.").ConfigureAwait(false);
                return 2;
            }

            Dictionary<string, string>? credentials = null;
            foreach (var pair in parse.GetValue(accept) ?? [])
            {
                var colon = pair.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    await error.WriteLineAsync($"--accept '{pair}' is not SYSTEM_ID:PASSWORD.").ConfigureAwait(false);
                    return 2;
                }

                (credentials ??= new Dictionary<string, string>(StringComparer.Ordinal))[pair[..colon]] = pair[(colon + 1)..];
            }

            if (!IPAddress.TryParse(parse.GetValue(address), out var listenOn))
            {
                await error.WriteLineAsync($"--address '{parse.GetValue(address)}' is not an IP address.").ConfigureAwait(false);
                return 2;
            }

            await using var smsc = SmscSimulator.Start(listenOn, parse.GetValue(port), new SmscSimulatorOptions
            {
                SystemId = parse.GetValue(systemId)!,
                Credentials = credentials,
                ReceiptDelay = TimeSpan.FromSeconds(parse.GetValue(receiptDelay)),
                Outcome = _ => stat,
            });
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"SMSC simulator '{parse.GetValue(systemId)}' listening for SMPP 3.4 on {listenOn}:{smsc.Port}; receipts say {stat}; Ctrl+C stops it.")).ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            await output.WriteLineAsync("SMSC simulator stopped.").ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}

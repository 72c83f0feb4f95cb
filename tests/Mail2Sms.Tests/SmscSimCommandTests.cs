using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Mail2Sms.Smpp;
using Mail2Sms.Tests.Shared;

namespace Mail2Sms.Tests;

/// <summary><c>mail2sms smsc-sim</c> as a real process, driven by the library's own client.</summary>
public sealed class SmscSimCommandTests
{
    [Fact]
    public async Task The_simulator_checks_credentials_answers_submits_and_sends_the_receipts_it_was_told_to()
    {
        var port = Waits.FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "mail2sms.dll"), "smsc-sim", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--accept", "test:secret", "--receipt-delay", "0.1", "--outcome", "UNDELIV" })
        {
            start.ArgumentList.Add(arg);
        }

        using var sim = Process.Start(start)!;
        var output = new BlockingCollection<string>();
        sim.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.Add(e.Data);
            }
        };
        sim.BeginOutputReadLine();
        sim.BeginErrorReadLine();
        try
        {
            Assert.True(output.TryTake(out var listening, TimeSpan.FromSeconds(60)), "smsc-sim printed nothing");
            Assert.Equal($"SMSC simulator 'SMSC' listening for SMPP 3.4 on 127.0.0.1:{port}; receipts say UNDELIV; Ctrl+C stops it.", listening);

            var receipts = new ConcurrentQueue<ShortMessage>();
            await using var client = new SmppClient(new SmppClientOptions { Port = port, SystemId = "test", Password = "secret" }, d =>
            {
                receipts.Enqueue(d);
                return Task.CompletedTask;
            });
            await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(30));
            var answer = await client.SubmitAsync(new ShortMessage(CommandId.SubmitSm)
            {
                DestinationTon = 1,
                DestinationNpi = 1,
                DestinationAddress = "61412345678",
                RegisteredDelivery = 1,
                Message = Encoding.ASCII.GetBytes("Hi"),
            });
            Assert.Equal(CommandStatus.Ok, answer.Status);
            await Waits.UntilAsync(() => !receipts.IsEmpty, "the receipt");
            var receipt = DeliveryReceipt.Read(Assert.Single(receipts))!;
            Assert.Equal((answer.MessageId, "UNDELIV", false), (receipt.MessageId, receipt.State, receipt.IsDelivered));
        }
        finally
        {
            using (var kill = Process.Start("kill", ["-TERM", sim.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await sim.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(0, sim.ExitCode);
    }

    [Fact]
    public void An_unknown_outcome_is_refused_with_the_ones_there_are()
    {
        var (exitCode, output) = Cli.Run("smsc-sim", "--outcome", "LOST");
        Assert.Equal(2, exitCode);
        Assert.Contains("--outcome is 'LOST'; it must be one of DELIVRD, UNDELIV, EXPIRED, REJECTD.", output, StringComparison.Ordinal);
    }
}

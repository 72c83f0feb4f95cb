using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mail2Sms.Tests.Shared;

namespace Mail2Sms.Smpp.Tests;

/// <summary>
/// Against an independent SMPP implementation, the npm package <c>smpp</c> 0.5.1 (pinned in
/// <c>node/package-lock.json</c>, installed with <c>npm ci</c> on first use): its encodings read by
/// our codec byte for byte, our client against its server, and its client against our simulator.
/// The scripts and their JSON-lines protocol are described in <c>node/README.md</c>.
/// </summary>
public sealed class NodeInteropTests
{
    private static string NodeFolder => Path.Combine(AppContext.BaseDirectory, "node");

    public static TheoryData<string> VectorNames() =>
        [.. JsonNode.Parse(File.ReadAllText(Path.Combine(NodeFolder, "vectors.json")))!.AsArray().Select(v => v!["name"]!.GetValue<string>())];

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Every_pdu_the_node_package_writes_reads_here_and_writes_back_the_same_octets(string name)
    {
        var vector = JsonNode.Parse(File.ReadAllText(Path.Combine(NodeFolder, "vectors.json")))!.AsArray().Single(v => v!["name"]!.GetValue<string>() == name)!;
        var octets = Convert.FromHexString(vector["hex"]!.GetValue<string>());
        var pdu = PduCodec.Decode(octets);
        Assert.Equal(vector["command"]!.GetValue<string>(), Snake(pdu.CommandId));
        Assert.Equal(vector["sequence_number"]!.GetValue<uint>(), pdu.Sequence);
        Assert.Equal(vector["command_status"]!.GetValue<uint>(), (uint)pdu.Status);
        Assert.Equal(Convert.ToHexString(octets), Convert.ToHexString(PduCodec.Encode(pdu)));
        if (pdu is ShortMessage message && vector["fields"]!["short_message_hex"] is { } text)
        {
            Assert.Equal(text.GetValue<string>(), Convert.ToHexString(message.Message.Span).ToLowerInvariant());
        }
    }

    [Fact]
    public async Task Our_client_binds_to_the_node_smsc_submits_gets_receipts_and_messages_from_mobiles()
    {
        await NodePackages.EnsureInstalledAsync(NodeFolder, "smpp");
        var port = Waits.FreePort();
        using var server = NodePackages.Start(NodeFolder, "node", "server.js", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var lines = new BlockingCollection<string>();
        server.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lines.Add(e.Data);
            }
        };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            Assert.Equal("listening", Next(lines, l => l == "listening"));
            var delivered = new ConcurrentQueue<ShortMessage>();
            await using (var client = new SmppClient(new SmppClientOptions { Port = port, SystemId = "test", Password = "secret", RequestReceipts = false }, d =>
            {
                delivered.Enqueue(d);
                return Task.CompletedTask;
            }))
            {
                await client.WaitBoundAsync().WaitAsync(TimeSpan.FromSeconds(30));
                var ucs2 = Encoding.BigEndianUnicode.GetBytes("Привет");
                var udh = Convert.FromHexString("0500032A0201").Concat(Encoding.ASCII.GetBytes("part one")).ToArray();
                var answers = new[]
                {
                    await client.SubmitAsync(Submit(Encoding.ASCII.GetBytes("Hello world"), dataCoding: 0, registeredDelivery: 1)),
                    await client.SubmitAsync(Submit(ucs2, dataCoding: 8)),
                    await client.SubmitAsync(Submit(udh, dataCoding: 0, esmClass: 0x40)),
                };
                Assert.Equal(["n-1", "n-2", "n-3"], answers.Select(a => a.MessageId));
                Assert.All(answers, a => Assert.Equal(CommandStatus.Ok, a.Status));

                var received = Enumerable.Range(0, 3).Select(_ => JsonNode.Parse(Next(lines, l => l.Contains("\"received\":\"submit_sm\"", StringComparison.Ordinal)))!["fields"]!).ToList();
                Assert.Equal(["48656c6c6f20776f726c64", Hex(ucs2), Hex(udh)], received.Select(f => f["short_message_hex"]!.GetValue<string>()));
                Assert.Equal([0, 8, 0], received.Select(f => f["data_coding"]!.GetValue<int>()));
                Assert.Equal(0x40, received[2]["esm_class"]!.GetValue<int>());

                await Waits.UntilAsync(() => delivered.Count == 1, "the receipt of the first submit");
                var receipt = DeliveryReceipt.Read(delivered.Single())!;
                Assert.Equal(("n-1", "DELIVRD"), (receipt.MessageId, receipt.State));

                await server.StandardInput.WriteLineAsync("""{"mo":{"source_addr":"61412345678","destination_addr":"Mail2Sms","short_message":"STOP"}}""");
                await server.StandardInput.FlushAsync();
                await Waits.UntilAsync(() => delivered.Count == 2, "the message from a mobile");
                var mo = delivered.Last();
                Assert.Null(DeliveryReceipt.Read(mo));
                Assert.Equal(("61412345678", "STOP"), (mo.SourceAddress, Encoding.ASCII.GetString(mo.Message.Span)));

                // A reply in two parts (UDH, 8-bit reference), the second first: joined here.
                foreach (var (sequence, text) in new[] { (2, " second"), (1, "first") })
                {
                    var part = Hex([0x05, 0x00, 0x03, 0x77, 0x02, (byte)sequence, .. LongMessages.Gsm7(text)]);
                    await server.StandardInput.WriteLineAsync(
                        $$$"""{"mo":{"source_addr":"61412345678","destination_addr":"Mail2Sms","esm_class":64,"data_coding":0,"short_message_hex":"{{{part}}}"}}""");
                }

                await server.StandardInput.FlushAsync();
                await Waits.UntilAsync(() => delivered.Count == 4, "both parts of the long reply");
                var assembler = new MessageAssembler(TimeProvider.System, TimeSpan.FromMinutes(1));
                var joined = delivered.Skip(2).Select(assembler.Add).Last(m => m is not null)!;
                Assert.Equal(("first second", true), (joined.Text, joined.Complete));
            }

            Next(lines, l => l.Contains("\"received\":\"unbind\"", StringComparison.Ordinal));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task The_node_client_binds_to_our_simulator_submits_and_gets_ids_and_receipts()
    {
        await NodePackages.EnsureInstalledAsync(NodeFolder, "smpp");
        await using var smsc = SmscSimulator.Start(IPAddress.Loopback, 0, new SmscSimulatorOptions { Credentials = new Dictionary<string, string> { ["test"] = "secret" } });
        var submits = string.Join('\n',
            """{"source_addr":"Mail2Sms","source_addr_ton":5,"destination_addr":"61412345678","dest_addr_ton":1,"dest_addr_npi":1,"registered_delivery":1,"short_message":"Hello world"}""",
            """{"source_addr":"Mail2Sms","destination_addr":"61412345679","data_coding":8,"short_message_hex":"041f04400438043204350442"}""") + "\n";
        var (exitCode, stdout, stderr) = await NodePackages.RunAsync(NodeFolder, "node",
            ["client.js", smsc.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "test", "secret"], submits, TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, $"client.js failed ({exitCode}):\n{stdout}\n{stderr}");

        var output = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal("SMSC", output.First(o => o["bound"] is not null)["system_id"]!.GetValue<string>());
        var ids = output.Where(o => o["resp"]?.GetValue<string>() == "submit_sm_resp").Select(o => o["message_id"]!.GetValue<string>()).ToList();
        Assert.Equal(["00000001", "00000002"], ids);
        var receipt = Assert.Single(output, o => o["received"]?.GetValue<string>() == "deliver_sm");
        Assert.Equal("00000001", receipt["receipted_message_id"]!.GetValue<string>());
        Assert.Contains("stat:DELIVRD", Encoding.Latin1.GetString(Convert.FromHexString(receipt["short_message_hex"]!.GetValue<string>())), StringComparison.Ordinal);
        Assert.Contains(output, o => o["unbound"] is not null);

        var received = smsc.Received.OfType<ShortMessage>().ToList();
        Assert.Equal(["Hello world", "Привет"], received.Select(m => m.DataCoding == 8 ? Encoding.BigEndianUnicode.GetString(m.Message.Span) : Encoding.ASCII.GetString(m.Message.Span)));
        Assert.Contains(smsc.Received, p => p.CommandId == CommandId.DeliverSmResp || p.CommandId == CommandId.Unbind);
    }

    private static ShortMessage Submit(byte[] message, byte dataCoding, byte registeredDelivery = 0, byte esmClass = 0) => new(CommandId.SubmitSm)
    {
        SourceTon = 5,
        SourceAddress = "Mail2Sms",
        DestinationTon = 1,
        DestinationNpi = 1,
        DestinationAddress = "61412345678",
        DataCoding = dataCoding,
        RegisteredDelivery = registeredDelivery,
        EsmClass = esmClass,
        Message = message,
    };

    private static string Hex(byte[] octets) => Convert.ToHexString(octets).ToLowerInvariant();

    private static string Snake(CommandId id) => JsonNamingPolicy.SnakeCaseLower.ConvertName(id.ToString());

    private static string Next(BlockingCollection<string> lines, Func<string, bool> wanted)
    {
        var seen = new List<string>();
        while (lines.TryTake(out var line, TimeSpan.FromSeconds(30)))
        {
            if (wanted(line))
            {
                return line;
            }

            seen.Add(line);
        }

        Assert.Fail($"node never printed the line wanted; it printed:\n{string.Join('\n', seen)}");
        throw new UnreachableException();
    }

}

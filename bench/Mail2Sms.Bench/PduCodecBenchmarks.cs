using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Mail2Sms.Smpp;

namespace Mail2Sms.Bench;

/// <summary>The SMPP codec on its own: a submit_sm written into a reused buffer, and read back.</summary>
[MemoryDiagnoser]
public class PduCodecBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(512);
    private ShortMessage _submit = null!;
    private byte[] _octets = [];

    [GlobalSetup]
    public void Setup()
    {
        _submit = new ShortMessage(CommandId.SubmitSm)
        {
            Sequence = 42,
            SourceTon = 5,
            SourceAddress = "Mail2Sms",
            DestinationTon = 1,
            DestinationNpi = 1,
            DestinationAddress = "61412345678",
            RegisteredDelivery = 1,
            Message = Encoding.ASCII.GetBytes("Server 23 is offline since 09:14; disk /var at 100%."),
        };
        _octets = PduCodec.Encode(_submit);
    }

    [Benchmark]
    public int WriteSubmitSm()
    {
        _output.ResetWrittenCount();
        PduCodec.Write(_submit, _output);
        return _output.WrittenCount;
    }

    [Benchmark]
    public Pdu ReadSubmitSm() => PduCodec.Decode(_octets);
}

namespace Mail2Sms.Smpp;

/// <summary>
/// One SMPP 3.4 PDU: the header's command_id, command_status and sequence_number, the mandatory
/// fields of its kind, and any optional parameters (TLVs) after them. Field sizes are the
/// specification's, NUL included; writing a longer value throws <see cref="ArgumentException"/>.
/// Compare PDUs by their encoding (<see cref="PduCodec.Encode"/>): octet fields compare by reference.
/// </summary>
public abstract record Pdu
{
    /// <summary>The command this PDU is.</summary>
    public abstract CommandId CommandId { get; }

    /// <summary>command_status: zero in requests; the outcome in responses.</summary>
    public CommandStatus Status { get; init; }

    /// <summary>sequence_number: a response carries its request's.</summary>
    public uint Sequence { get; init; }

    /// <summary>The optional parameters, in the order sent; unknown tags are kept.</summary>
    public IReadOnlyList<Tlv> Tlvs { get; init; } = [];

    /// <summary>Writes the mandatory fields, then the optional parameters.</summary>
    internal abstract void WriteBody(PduWriter writer);
}

/// <summary>A PDU with no body: unbind, unbind_resp, enquire_link, enquire_link_resp, generic_nack, cancel_sm_resp.</summary>
/// <param name="Command">Which of them it is.</param>
public sealed record EmptyPdu(CommandId Command) : Pdu
{
    /// <inheritdoc/>
    public override CommandId CommandId => Command;

    internal override void WriteBody(PduWriter writer)
    {
    }
}

/// <summary>bind_transmitter, bind_receiver or bind_transceiver.</summary>
/// <param name="Command">Which bind it is.</param>
public sealed record Bind(CommandId Command) : Pdu
{
    /// <inheritdoc/>
    public override CommandId CommandId => Command;

    /// <summary>system_id (16): the ESME's name at the SMSC.</summary>
    public string SystemId { get; init; } = string.Empty;

    /// <summary>password (9).</summary>
    public string Password { get; init; } = string.Empty;

    /// <summary>system_type (13).</summary>
    public string SystemType { get; init; } = string.Empty;

    /// <summary>interface_version: 0x34 for SMPP 3.4.</summary>
    public byte InterfaceVersion { get; init; } = 0x34;

    /// <summary>addr_ton of the address range served.</summary>
    public byte AddressTon { get; init; }

    /// <summary>addr_npi of the address range served.</summary>
    public byte AddressNpi { get; init; }

    /// <summary>address_range (41).</summary>
    public string AddressRange { get; init; } = string.Empty;

    internal override void WriteBody(PduWriter writer)
    {
        writer.CString(SystemId, 16, nameof(SystemId));
        writer.CString(Password, 9, nameof(Password));
        writer.CString(SystemType, 13, nameof(SystemType));
        writer.Byte(InterfaceVersion);
        writer.Byte(AddressTon);
        writer.Byte(AddressNpi);
        writer.CString(AddressRange, 41, nameof(AddressRange));
        writer.Tlvs(Tlvs);
    }

    internal static Bind Read(CommandId command, ref PduReader reader) => new(command)
    {
        SystemId = reader.CString(16, CommandStatus.InvalidSystemId),
        Password = reader.CString(9, CommandStatus.InvalidPassword),
        SystemType = reader.CString(13, CommandStatus.InvalidSystemType),
        InterfaceVersion = reader.Byte(),
        AddressTon = reader.Byte(),
        AddressNpi = reader.Byte(),
        AddressRange = reader.CString(41, CommandStatus.InvalidParameterLength),
        Tlvs = reader.Tlvs(),
    };
}

/// <summary>bind_transmitter_resp, bind_receiver_resp or bind_transceiver_resp; written without a body when refused.</summary>
/// <param name="Command">Which response it is.</param>
public sealed record BindResp(CommandId Command) : Pdu
{
    /// <inheritdoc/>
    public override CommandId CommandId => Command;

    /// <summary>system_id (16): the SMSC's name.</summary>
    public string SystemId { get; init; } = string.Empty;

    internal override void WriteBody(PduWriter writer)
    {
        // "The body is not returned if the command_status field contains a non-zero value."
        if (Status == CommandStatus.Ok)
        {
            writer.CString(SystemId, 16, nameof(SystemId));
            writer.Tlvs(Tlvs);
        }
    }

    internal static BindResp Read(CommandId command, ref PduReader reader) => new(command)
    {
        SystemId = reader.CString(16, CommandStatus.InvalidSystemId),
        Tlvs = reader.Tlvs(),
    };
}

/// <summary>outbind: the SMSC asks the ESME to bind as a receiver.</summary>
public sealed record Outbind : Pdu
{
    /// <inheritdoc/>
    public override CommandId CommandId => CommandId.Outbind;

    /// <summary>system_id (16).</summary>
    public string SystemId { get; init; } = string.Empty;

    /// <summary>password (9).</summary>
    public string Password { get; init; } = string.Empty;

    internal override void WriteBody(PduWriter writer)
    {
        writer.CString(SystemId, 16, nameof(SystemId));
        writer.CString(Password, 9, nameof(Password));
    }

    internal static Outbind Read(ref PduReader reader) => new()
    {
        SystemId = reader.CString(16, CommandStatus.InvalidSystemId),
        Password = reader.CString(9, CommandStatus.InvalidPassword),
    };
}

/// <summary>submit_sm (ESME to SMSC) and deliver_sm (SMSC to ESME: an MO or a delivery receipt) share one layout.</summary>
/// <param name="Command">submit_sm or deliver_sm.</param>
public sealed record ShortMessage(CommandId Command) : Pdu
{
    /// <inheritdoc/>
    public override CommandId CommandId => Command;

    /// <summary>service_type (6).</summary>
    public string ServiceType { get; init; } = string.Empty;

    /// <summary>source_addr_ton: 1 international, 5 alphanumeric, 0 unknown.</summary>
    public byte SourceTon { get; init; }

    /// <summary>source_addr_npi: 1 ISDN (E.164), 0 unknown.</summary>
    public byte SourceNpi { get; init; }

    /// <summary>source_addr (21).</summary>
    public string SourceAddress { get; init; } = string.Empty;

    /// <summary>dest_addr_ton.</summary>
    public byte DestinationTon { get; init; }

    /// <summary>dest_addr_npi.</summary>
    public byte DestinationNpi { get; init; }

    /// <summary>destination_addr (21).</summary>
    public string DestinationAddress { get; init; } = string.Empty;

    /// <summary>esm_class: 0x40 a user data header leads short_message; in deliver_sm, <c>&amp; 0x3C == 0x04</c> a delivery receipt.</summary>
    public byte EsmClass { get; init; }

    /// <summary>protocol_id.</summary>
    public byte ProtocolId { get; init; }

    /// <summary>priority_flag.</summary>
    public byte PriorityFlag { get; init; }

    /// <summary>schedule_delivery_time (17): empty for now.</summary>
    public string ScheduleDeliveryTime { get; init; } = string.Empty;

    /// <summary>validity_period (17): absolute or relative (<c>YYMMDDhhmmss000R</c>); empty for the SMSC's default.</summary>
    public string ValidityPeriod { get; init; } = string.Empty;

    /// <summary>registered_delivery: 1 asks for a receipt of the final outcome.</summary>
    public byte RegisteredDelivery { get; init; }

    /// <summary>replace_if_present_flag.</summary>
    public byte ReplaceIfPresent { get; init; }

    /// <summary>data_coding: 0 SMSC default (GSM), 3 Latin-1, 8 UCS-2.</summary>
    public byte DataCoding { get; init; }

    /// <summary>sm_default_msg_id.</summary>
    public byte DefaultMessageId { get; init; }

    /// <summary>short_message: at most 254 octets (its length is sm_length); empty when message_payload carries the text.</summary>
    public ReadOnlyMemory<byte> Message { get; init; }

    internal override void WriteBody(PduWriter writer)
    {
        if (Message.Length > 254)
        {
            throw new InvalidOperationException($"short_message holds at most 254 octets; this one has {Message.Length}: use message_payload.");
        }

        writer.CString(ServiceType, 6, nameof(ServiceType));
        writer.Byte(SourceTon);
        writer.Byte(SourceNpi);
        writer.CString(SourceAddress, 21, nameof(SourceAddress));
        writer.Byte(DestinationTon);
        writer.Byte(DestinationNpi);
        writer.CString(DestinationAddress, 21, nameof(DestinationAddress));
        writer.Byte(EsmClass);
        writer.Byte(ProtocolId);
        writer.Byte(PriorityFlag);
        writer.CString(ScheduleDeliveryTime, 17, nameof(ScheduleDeliveryTime));
        writer.CString(ValidityPeriod, 17, nameof(ValidityPeriod));
        writer.Byte(RegisteredDelivery);
        writer.Byte(ReplaceIfPresent);
        writer.Byte(DataCoding);
        writer.Byte(DefaultMessageId);
        writer.Byte((byte)Message.Length);
        writer.Octets(Message.Span);
        writer.Tlvs(Tlvs);
    }

    internal static ShortMessage Read(CommandId command, ref PduReader reader)
    {
        var message = new ShortMessage(command)
        {
            ServiceType = reader.CString(6, CommandStatus.InvalidServiceType),
            SourceTon = reader.Byte(),
            SourceNpi = reader.Byte(),
            SourceAddress = reader.CString(21, CommandStatus.InvalidSourceAddress),
            DestinationTon = reader.Byte(),
            DestinationNpi = reader.Byte(),
            DestinationAddress = reader.CString(21, CommandStatus.InvalidDestinationAddress),
            EsmClass = reader.Byte(),
            ProtocolId = reader.Byte(),
            PriorityFlag = reader.Byte(),
            ScheduleDeliveryTime = reader.CString(17, CommandStatus.InvalidScheduledDeliveryTime),
            ValidityPeriod = reader.CString(17, CommandStatus.InvalidValidityPeriod),
            RegisteredDelivery = reader.Byte(),
            ReplaceIfPresent = reader.Byte(),
            DataCoding = reader.Byte(),
            DefaultMessageId = reader.Byte(),
        };
        var length = reader.Byte();
        return message with { Message = reader.Octets(length), Tlvs = reader.Tlvs() };
    }
}

/// <summary>submit_sm_resp, deliver_sm_resp or data_sm_resp: the message ID the SMSC gave (empty in deliver_sm_resp); written without a body on an error.</summary>
/// <param name="Command">Which response it is.</param>
public sealed record MessageResp(CommandId Command) : Pdu
{
    /// <inheritdoc/>
    public override CommandId CommandId => Command;

    /// <summary>message_id (65).</summary>
    public string MessageId { get; init; } = string.Empty;

    internal override void WriteBody(PduWriter writer)
    {
        // As for bind responses: no body when command_status is not zero.
        if (Status == CommandStatus.Ok)
        {
            writer.CString(MessageId, 65, nameof(MessageId));
            writer.Tlvs(Tlvs);
        }
    }

    internal static MessageResp Read(CommandId command, ref PduReader reader) => new(command)
    {
        MessageId = reader.CString(65, CommandStatus.InvalidMessageId),
        Tlvs = reader.Tlvs(),
    };
}

/// <summary>data_sm: a message whose text travels in the message_payload parameter.</summary>
public sealed record DataSm : Pdu
{
    /// <inheritdoc/>
    public override CommandId CommandId => CommandId.DataSm;

    /// <summary>service_type (6).</summary>
    public string ServiceType { get; init; } = string.Empty;

    /// <summary>source_addr_ton.</summary>
    public byte SourceTon { get; init; }

    /// <summary>source_addr_npi.</summary>
    public byte SourceNpi { get; init; }

    /// <summary>source_addr (65).</summary>
    public string SourceAddress { get; init; } = string.Empty;

    /// <summary>dest_addr_ton.</summary>
    public byte DestinationTon { get; init; }

    /// <summary>dest_addr_npi.</summary>
    public byte DestinationNpi { get; init; }

    /// <summary>destination_addr (65).</summary>
    public string DestinationAddress { get; init; } = string.Empty;

    /// <summary>esm_class.</summary>
    public byte EsmClass { get; init; }

    /// <summary>registered_delivery.</summary>
    public byte RegisteredDelivery { get; init; }

    /// <summary>data_coding.</summary>
    public byte DataCoding { get; init; }

    internal override void WriteBody(PduWriter writer)
    {
        writer.CString(ServiceType, 6, nameof(ServiceType));
        writer.Byte(SourceTon);
        writer.Byte(SourceNpi);
        writer.CString(SourceAddress, 65, nameof(SourceAddress));
        writer.Byte(DestinationTon);
        writer.Byte(DestinationNpi);
        writer.CString(DestinationAddress, 65, nameof(DestinationAddress));
        writer.Byte(EsmClass);
        writer.Byte(RegisteredDelivery);
        writer.Byte(DataCoding);
        writer.Tlvs(Tlvs);
    }

    internal static DataSm Read(ref PduReader reader) => new()
    {
        ServiceType = reader.CString(6, CommandStatus.InvalidServiceType),
        SourceTon = reader.Byte(),
        SourceNpi = reader.Byte(),
        SourceAddress = reader.CString(65, CommandStatus.InvalidSourceAddress),
        DestinationTon = reader.Byte(),
        DestinationNpi = reader.Byte(),
        DestinationAddress = reader.CString(65, CommandStatus.InvalidDestinationAddress),
        EsmClass = reader.Byte(),
        RegisteredDelivery = reader.Byte(),
        DataCoding = reader.Byte(),
        Tlvs = reader.Tlvs(),
    };
}

/// <summary>query_sm: the state of a message submitted before.</summary>
public sealed record QuerySm : Pdu
{
    /// <inheritdoc/>
    public override CommandId CommandId => CommandId.QuerySm;

    /// <summary>message_id (65).</summary>
    public string MessageId { get; init; } = string.Empty;

    /// <summary>source_addr_ton.</summary>
    public byte SourceTon { get; init; }

    /// <summary>source_addr_npi.</summary>
    public byte SourceNpi { get; init; }

    /// <summary>source_addr (21).</summary>
    public string SourceAddress { get; init; } = string.Empty;

    internal override void WriteBody(PduWriter writer)
    {
        writer.CString(MessageId, 65, nameof(MessageId));
        writer.Byte(SourceTon);
        writer.Byte(SourceNpi);
        writer.CString(SourceAddress, 21, nameof(SourceAddress));
    }

    internal static QuerySm Read(ref PduReader reader) => new()
    {
        MessageId = reader.CString(65, CommandStatus.InvalidMessageId),
        SourceTon = reader.Byte(),
        SourceNpi = reader.Byte(),
        SourceAddress = reader.CString(21, CommandStatus.InvalidSourceAddress),
    };
}

/// <summary>query_sm_resp.</summary>
public sealed record QuerySmResp : Pdu
{
    /// <inheritdoc/>
    public override CommandId CommandId => CommandId.QuerySmResp;

    /// <summary>message_id (65).</summary>
    public string MessageId { get; init; } = string.Empty;

    /// <summary>final_date (17): when the message reached its final state; empty while it has not.</summary>
    public string FinalDate { get; init; } = string.Empty;

    /// <summary>message_state: 1 enroute, 2 delivered, 3 expired, 4 deleted, 5 undeliverable, 6 accepted, 7 unknown, 8 rejected.</summary>
    public byte MessageState { get; init; }

    /// <summary>error_code: the network's error, when there is one.</summary>
    public byte ErrorCode { get; init; }

    internal override void WriteBody(PduWriter writer)
    {
        writer.CString(MessageId, 65, nameof(MessageId));
        writer.CString(FinalDate, 17, nameof(FinalDate));
        writer.Byte(MessageState);
        writer.Byte(ErrorCode);
    }

    internal static QuerySmResp Read(ref PduReader reader) => new()
    {
        MessageId = reader.CString(65, CommandStatus.InvalidMessageId),
        FinalDate = reader.CString(17, CommandStatus.InvalidParameterLength),
        MessageState = reader.End ? (byte)0 : reader.Byte(),
        ErrorCode = reader.End ? (byte)0 : reader.Byte(),
    };
}

/// <summary>cancel_sm: withdraw a message not yet delivered.</summary>
public sealed record CancelSm : Pdu
{
    /// <inheritdoc/>
    public override CommandId CommandId => CommandId.CancelSm;

    /// <summary>service_type (6).</summary>
    public string ServiceType { get; init; } = string.Empty;

    /// <summary>message_id (65).</summary>
    public string MessageId { get; init; } = string.Empty;

    /// <summary>source_addr_ton.</summary>
    public byte SourceTon { get; init; }

    /// <summary>source_addr_npi.</summary>
    public byte SourceNpi { get; init; }

    /// <summary>source_addr (21).</summary>
    public string SourceAddress { get; init; } = string.Empty;

    /// <summary>dest_addr_ton.</summary>
    public byte DestinationTon { get; init; }

    /// <summary>dest_addr_npi.</summary>
    public byte DestinationNpi { get; init; }

    /// <summary>destination_addr (21).</summary>
    public string DestinationAddress { get; init; } = string.Empty;

    internal override void WriteBody(PduWriter writer)
    {
        writer.CString(ServiceType, 6, nameof(ServiceType));
        writer.CString(MessageId, 65, nameof(MessageId));
        writer.Byte(SourceTon);
        writer.Byte(SourceNpi);
        writer.CString(SourceAddress, 21, nameof(SourceAddress));
        writer.Byte(DestinationTon);
        writer.Byte(DestinationNpi);
        writer.CString(DestinationAddress, 21, nameof(DestinationAddress));
    }

    internal static CancelSm Read(ref PduReader reader) => new()
    {
        ServiceType = reader.CString(6, CommandStatus.InvalidServiceType),
        MessageId = reader.CString(65, CommandStatus.InvalidMessageId),
        SourceTon = reader.Byte(),
        SourceNpi = reader.Byte(),
        SourceAddress = reader.CString(21, CommandStatus.InvalidSourceAddress),
        DestinationTon = reader.Byte(),
        DestinationNpi = reader.Byte(),
        DestinationAddress = reader.CString(21, CommandStatus.InvalidDestinationAddress),
    };
}

/// <summary>alert_notification: a mobile that was away is reachable again.</summary>
public sealed record AlertNotification : Pdu
{
    /// <inheritdoc/>
    public override CommandId CommandId => CommandId.AlertNotification;

    /// <summary>source_addr_ton.</summary>
    public byte SourceTon { get; init; }

    /// <summary>source_addr_npi.</summary>
    public byte SourceNpi { get; init; }

    /// <summary>source_addr (65).</summary>
    public string SourceAddress { get; init; } = string.Empty;

    /// <summary>esme_addr_ton.</summary>
    public byte EsmeTon { get; init; }

    /// <summary>esme_addr_npi.</summary>
    public byte EsmeNpi { get; init; }

    /// <summary>esme_addr (65).</summary>
    public string EsmeAddress { get; init; } = string.Empty;

    internal override void WriteBody(PduWriter writer)
    {
        writer.Byte(SourceTon);
        writer.Byte(SourceNpi);
        writer.CString(SourceAddress, 65, nameof(SourceAddress));
        writer.Byte(EsmeTon);
        writer.Byte(EsmeNpi);
        writer.CString(EsmeAddress, 65, nameof(EsmeAddress));
        writer.Tlvs(Tlvs);
    }

    internal static AlertNotification Read(ref PduReader reader) => new()
    {
        SourceTon = reader.Byte(),
        SourceNpi = reader.Byte(),
        SourceAddress = reader.CString(65, CommandStatus.InvalidSourceAddress),
        EsmeTon = reader.Byte(),
        EsmeNpi = reader.Byte(),
        EsmeAddress = reader.CString(65, CommandStatus.InvalidParameterLength),
        Tlvs = reader.Tlvs(),
    };
}

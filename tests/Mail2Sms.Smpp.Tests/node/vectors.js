// Writes vectors.json next to this file: SMPP PDUs as the smpp package (0.5.1) encodes them.
// Each entry:
//   name             unique, snake_case
//   command          the package's command name (submit_sm, bind_transceiver_resp, ...)
//   command_status   as given (0 unless stated)
//   sequence_number  fixed, so the output is deterministic
//   pdu              the options given to new smpp.PDU(command, options); a Buffer value is
//                    written as "<name>_hex" (lowercase hex), so short_message_hex, ...
//   hex              lowercase hex of the complete PDU from pdu.toBuffer(), header included
//   fields           the fields as they are on the wire, read back from hex with the package's
//                    field types and no filters (the form server.js and client.js print): every
//                    mandatory field, defaults included, then the TLVs in wire order
//   note             present where the package did something worth knowing
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { smpp, rawFields, fail } = require('./common');

// The package only encodes TLVs it knows by name (an unknown TLV given as, say, { 5120: buf } is
// dropped without a word). smpp.addTLV is its way to teach it one; the name matches the one
// rawFields() gives TLVs it does not know.
smpp.addTLV('tlv_0x1400', { id: 0x1400, type: smpp.types.tlv.buffer });

const ascii = (text) => Buffer.from(text, 'ascii');

const bind = {
  system_id: 'test',
  password: 'secret',
  system_type: '',
  interface_version: 0x34,
  addr_ton: 0,
  addr_npi: 0,
  address_range: '',
};

const fromMail2Sms = {
  service_type: '',
  source_addr_ton: 5,
  source_addr_npi: 0,
  source_addr: 'Mail2Sms',
  dest_addr_ton: 1,
  dest_addr_npi: 1,
  destination_addr: '61412345678',
};

const toMail2Sms = {
  service_type: '',
  source_addr_ton: 1,
  source_addr_npi: 1,
  source_addr: '61412345678',
  dest_addr_ton: 5,
  dest_addr_npi: 0,
  destination_addr: 'Mail2Sms',
};

const receipt = 'id:abc123 sub:001 dlvrd:001 submit date:2611251200 done date:2611251201 '
  + 'stat:DELIVRD err:000 text:Hello world';
const undelivered = 'id:abc124 sub:001 dlvrd:000 submit date:2611251200 done date:2611251201 '
  + 'stat:UNDELIV err:001 text:Hello world';

// [name, command, options, note?]
const cases = [
  ['bind_transmitter', 'bind_transmitter', { ...bind }],
  ['bind_transmitter_resp', 'bind_transmitter_resp', { system_id: 'SMSC' }],
  ['bind_transmitter_resp_invalid_password', 'bind_transmitter_resp',
    { command_status: 0x0e, system_id: 'SMSC' },
    'command_status != 0: the package writes the 16-byte header only and ignores system_id'],
  ['bind_receiver', 'bind_receiver', { ...bind }],
  ['bind_receiver_resp', 'bind_receiver_resp', { system_id: 'SMSC' }],
  ['bind_transceiver', 'bind_transceiver', { ...bind }],
  ['bind_transceiver_resp', 'bind_transceiver_resp', { system_id: 'SMSC' }],
  ['outbind', 'outbind', { system_id: 'test', password: 'secret' }],
  ['unbind', 'unbind', {}],
  ['unbind_resp', 'unbind_resp', {}],
  ['generic_nack', 'generic_nack', { command_status: 3 }],
  ['enquire_link', 'enquire_link', {}],
  ['enquire_link_resp', 'enquire_link_resp', {}],
  ['submit_sm_gsm', 'submit_sm', {
    ...fromMail2Sms, registered_delivery: 1, data_coding: 0, short_message: 'Hello world',
  }, 'a string short_message with data_coding 0 is written as unpacked GSM 03.38 septets '
    + '(the same bytes as ASCII for letters, digits and space)'],
  ['submit_sm_ucs2', 'submit_sm', {
    ...fromMail2Sms, data_coding: 8, short_message: Buffer.from('Привет', 'utf16le').swap16(),
  }],
  ['submit_sm_ucs2_from_string', 'submit_sm', {
    ...fromMail2Sms, data_coding: 8, short_message: 'Привет',
  }, 'a string short_message with data_coding 8 is written as UTF-16BE (iconv-lite), no BOM: '
    + 'the same bytes as submit_sm_ucs2'],
  ['submit_sm_gsm_detected', 'submit_sm', {
    ...fromMail2Sms, short_message: 'Hello world',
  }, 'no data_coding and a string short_message: the package picks the encoding and, for text '
    + 'that fits GSM 03.38, writes GSM 03.38 septets but sets data_coding to 1 (IA5), not 0'],
  ['submit_sm_ucs2_detected', 'submit_sm', {
    ...fromMail2Sms, short_message: 'Привет',
  }, 'no data_coding and text outside GSM 03.38 and Latin-1: data_coding becomes 8, UTF-16BE'],
  ['submit_sm_udh', 'submit_sm', {
    ...fromMail2Sms, esm_class: 0x40, data_coding: 0,
    short_message: Buffer.concat([Buffer.from('0500032a0201', 'hex'), ascii('part one')]),
  }],
  ['submit_sm_udh_from_object', 'submit_sm', {
    ...fromMail2Sms, esm_class: 0, data_coding: 0,
    short_message: { udh: Buffer.from('0500032a0201', 'hex'), message: 'part one' },
  }, 'short_message given as { udh, message }: the package prepends the UDH (which must start '
    + 'with its UDHL byte) and ORs 0x40 into esm_class: the same bytes as submit_sm_udh'],
  ['submit_sm_message_payload', 'submit_sm', {
    ...fromMail2Sms, data_coding: 0, short_message: '', message_payload: Buffer.alloc(300, 'a'),
  }],
  ['submit_sm_sar', 'submit_sm', {
    ...fromMail2Sms, data_coding: 0, short_message: 'part one',
    sar_msg_ref_num: 42, sar_total_segments: 2, sar_segment_seqnum: 1,
  }, 'TLVs are written after the mandatory fields in the order the options object lists them'],
  ['submit_sm_validity_period', 'submit_sm', {
    ...fromMail2Sms, data_coding: 0, short_message: 'Hello world',
    validity_period: '000001000000000R',
  }, 'a 16-character time is written as given; a string of 12 characters or fewer would be '
    + 'left-padded with 0 to 12 and given the suffix 000R (relative)'],
  ['submit_sm_unknown_tlv', 'submit_sm', {
    ...fromMail2Sms, data_coding: 0, short_message: 'Hello world',
    tlv_0x1400: Buffer.from([1, 2, 3]),
  }, 'TLV 0x1400 registered first with smpp.addTLV: the package silently drops TLVs it does not '
    + 'know (and drops the ones it decoded from the wire but does not know when re-encoding)'],
  ['submit_sm_resp', 'submit_sm_resp', { message_id: 'abc123' }],
  ['submit_sm_resp_throttled', 'submit_sm_resp', { command_status: 0x58, message_id: 'abc123' },
    'command_status != 0: the package writes the 16-byte header only, message_id is not sent'],
  ['deliver_sm_receipt', 'deliver_sm', {
    ...toMail2Sms, esm_class: 0x04, data_coding: 0, short_message: receipt,
    receipted_message_id: 'abc123', message_state: 2,
  }],
  ['deliver_sm_receipt_undelivered', 'deliver_sm', {
    ...toMail2Sms, esm_class: 0x04, data_coding: 0, short_message: undelivered,
    receipted_message_id: 'abc124', message_state: 5,
    user_message_reference: 7, network_error_code: Buffer.from('030001', 'hex'),
  }],
  ['deliver_sm_resp', 'deliver_sm_resp', { message_id: '' }],
  ['deliver_sm_mo', 'deliver_sm', {
    ...toMail2Sms, dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '61400000000',
    esm_class: 0, data_coding: 0, short_message: 'Reply from phone',
  }],
  ['data_sm', 'data_sm', {
    service_type: '',
    source_addr_ton: 5, source_addr_npi: 0, source_addr: 'Mail2Sms',
    dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '61412345678',
    esm_class: 0, registered_delivery: 1, data_coding: 0,
    message_payload: ascii('Hello via data_sm'),
  }],
  ['data_sm_resp', 'data_sm_resp', { message_id: 'abc125' }],
  ['query_sm', 'query_sm', {
    message_id: 'abc123', source_addr_ton: 5, source_addr_npi: 0, source_addr: 'Mail2Sms',
  }],
  ['query_sm_resp', 'query_sm_resp', {
    message_id: 'abc123', final_date: '', message_state: 2, error_code: 0,
  }],
  ['cancel_sm', 'cancel_sm', { ...fromMail2Sms, message_id: 'abc123' },
    'the package writes the fields in its own order (service_type, message_id, source, dest), '
    + 'whatever the order of the options'],
  ['cancel_sm_resp', 'cancel_sm_resp', {}],
  ['alert_notification', 'alert_notification', {
    source_addr_ton: 1, source_addr_npi: 1, source_addr: '61412345678',
    esme_addr_ton: 5, esme_addr_npi: 0, esme_addr: 'Mail2Sms',
    ms_availability_status: 0,
  }],
];

// Buffers as "<name>_hex"; objects and arrays walked.
function toJson(value) {
  if (Array.isArray(value)) {
    return value.map(toJson);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const json = {};
  for (const [key, field] of Object.entries(value)) {
    if (Buffer.isBuffer(field)) {
      json[`${key}_hex`] = field.toString('hex');
    } else {
      json[key] = toJson(field);
    }
  }
  return json;
}

function build() {
  const names = new Set();
  return cases.map(([name, command, options, note], index) => {
    if (names.has(name)) {
      throw new Error(`duplicate vector name ${name}`);
    }
    names.add(name);
    const given = { sequence_number: index + 1, ...options };
    const pdu = toJson(given);
    const bytes = new smpp.PDU(command, given).toBuffer();
    if (bytes.readUInt32BE(0) !== bytes.length) {
      throw new Error(`${name}: command_length ${bytes.readUInt32BE(0)} != ${bytes.length}`);
    }
    const vector = {
      name,
      command,
      command_status: given.command_status || 0,
      sequence_number: given.sequence_number,
      pdu,
      hex: bytes.toString('hex'),
      fields: rawFields(bytes),
    };
    if (note) {
      vector.note = note;
    }
    return vector;
  });
}

try {
  const file = path.join(__dirname, 'vectors.json');
  fs.writeFileSync(file, `${JSON.stringify(build(), null, 2)}\n`);
  process.stdout.write(`wrote ${cases.length} vectors to ${file}\n`);
} catch (error) {
  fail(error);
}

// Helpers shared by server.js and client.js (see README.md for the line protocol they speak).
'use strict';
const smpp = require('smpp');

const { PDU } = smpp;

// One JSON object per stdout line. On Linux, writes to a pipe are synchronous; elsewhere they may
// not be, so exits go through exit() below, which waits for stdout to drain.
function emit(object) {
  process.stdout.write(`${JSON.stringify(object)}\n`);
}

let exiting = false;

// The first call wins; a connection's error and close events may both try to end the process.
function exit(code) {
  if (exiting) {
    return;
  }
  exiting = true;
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
}

function fail(error) {
  if (exiting) {
    return;
  }
  emit({ error: error instanceof Error ? error.message : String(error) });
  exit(1);
}

function hex(buffer) {
  return Buffer.from(buffer).toString('hex');
}

function isHex(text) {
  return typeof text === 'string' && text.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(text);
}

// Turns a JSON object of PDU fields into options for new smpp.PDU(): a key "<name>_hex" becomes
// "<name>" holding those bytes as a Buffer; every other key is passed on unchanged.
function optionsFromJson(json) {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error('expected a JSON object of PDU fields');
  }
  const options = {};
  for (const [key, value] of Object.entries(json)) {
    if (key.endsWith('_hex')) {
      if (!isHex(value)) {
        throw new Error(`${key} is not an even-length hex string`);
      }
      options[key.slice(0, -4)] = Buffer.from(value, 'hex');
    } else {
      options[key] = value;
    }
  }
  return options;
}

// smpp 0.5.1 decodes what it receives: short_message becomes {message, udh} text, times become
// Date objects (relative ones against the clock), unknown TLVs become numeric keys. To report the
// bytes exactly as they arrived, the complete PDU is kept (non-enumerable, so the encoder never
// sees it) and read again here with the package's own field types but without its filters.
const fromStream = PDU.fromStream;
PDU.fromStream = function fromStreamKeepingBytes(stream, commandLength) {
  const body = stream.read(commandLength - 4);
  if (!body) {
    return false;
  }
  const head = Buffer.alloc(4);
  head.writeUInt32BE(commandLength, 0);
  const bytes = Buffer.concat([head, body]);
  const pdu = new PDU(bytes);
  Object.defineProperty(pdu, 'bytes', { value: bytes, enumerable: false });
  return pdu;
};
PDU.fromStream.original = fromStream;

function put(fields, name, value) {
  if (Buffer.isBuffer(value)) {
    fields[`${name}_hex`] = hex(value);
  } else if (Array.isArray(value) && value.some(Buffer.isBuffer)) {
    fields[`${name}_hex`] = value.map(hex);
  } else {
    fields[name] = value;
  }
}

// The mandatory fields and TLVs of a received PDU, raw: numbers as numbers, C-octet strings as
// strings, octet fields (short_message, message_payload, network_error_code, ...) as
// "<name>_hex". A TLV the package does not know is "tlv_0xTTTT_hex". A PDU whose command_status is
// not 0 usually has no body, so no fields.
function rawFields(bytes) {
  const fields = {};
  const length = bytes.readUInt32BE(0);
  const command = smpp.commandsById[bytes.readUInt32BE(4)];
  if (!command) {
    if (length > 16) {
      fields.body_hex = hex(bytes.subarray(16, length));
    }
    return fields;
  }
  let offset = 16;
  for (const [name, param] of Object.entries(command.params || {})) {
    if (offset >= length) {
      break;
    }
    const value = param.type.read(bytes, offset);
    offset += param.type.size(value);
    put(fields, name, value);
  }
  const multiples = {};
  while (offset + 4 <= length) {
    const tag = bytes.readUInt16BE(offset);
    const size = bytes.readUInt16BE(offset + 2);
    offset += 4;
    const tlv = smpp.tlvsById[tag];
    if (!tlv) {
      const name = `tlv_0x${tag.toString(16).padStart(4, '0')}`;
      put(fields, name, bytes.subarray(offset, offset + size));
    } else {
      const name = (command.tlvMap || {})[tlv.tag] || tlv.tag;
      const value = tlv.type.read(bytes, offset, size);
      if (tlv.multiple) {
        (multiples[name] = multiples[name] || []).push(value);
        put(fields, name, multiples[name]);
      } else {
        put(fields, name, value);
      }
    }
    offset += size;
  }
  if (offset !== length) {
    fields.trailing_bytes = length - offset;
  }
  return fields;
}

// message_text: short_message (or, when that is empty, message_payload) as text, decoded by the
// package's decoder for the PDU's data_coding (0 and 1: GSM 03.38 unpacked, 3: Latin-1,
// 8: UTF-16BE), without the UDH when esm_class has UDHI (0x40). A convenience only: the _hex
// fields are exact.
function messageText(fields) {
  const hexText = fields.short_message_hex || fields.message_payload_hex;
  if (!hexText || !('data_coding' in fields)) {
    return undefined;
  }
  const decoded = smpp.filters.message.decode.call(
    { data_coding: fields.data_coding, esm_class: fields.esm_class || 0 },
    Buffer.from(hexText, 'hex'),
  );
  return decoded && typeof decoded.message === 'string' ? decoded.message : undefined;
}

function describe(pdu) {
  const fields = pdu.bytes ? rawFields(pdu.bytes) : {};
  const text = messageText(fields);
  if (text !== undefined) {
    fields.message_text = text;
  }
  return fields;
}

module.exports = { smpp, PDU, emit, exit, fail, hex, optionsFromJson, rawFields, describe };

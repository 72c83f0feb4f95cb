// A small SMSC on the smpp package's server: node server.js PORT [spread]
// Listens on 127.0.0.1:PORT, prints "listening", then one JSON line per PDU received; reads
// commands as JSON lines on stdin. The protocol is in README.md.
'use strict';
const readline = require('node:readline');
const { smpp, emit, exit, fail, optionsFromJson, describe } = require('./common');

const SYSTEM_ID = 'test';
const PASSWORD = 'secret';
const RECEIPT_DELAY_MS = 200;

const BIND_MODES = {
  bind_transmitter: 'transmitter',
  bind_receiver: 'receiver',
  bind_transceiver: 'transceiver',
};

let nextMessageId = 1;
let nextBind = 0;
let server;
// "spread": as an SMSC that spreads a system_id's traffic over all its binds (several gateway nodes),
// a receipt goes on another bind than its submit's, and one unanswered when its bind closes goes again.
let spread = false;

function canSubmit(session) {
  return session.mode === 'transmitter' || session.mode === 'transceiver';
}

function canReceive(session) {
  return session.mode === 'receiver' || session.mode === 'transceiver';
}

function stderr(object) {
  process.stderr.write(`${JSON.stringify(object)}\n`);
}

function send(session, pdu, sent) {
  if (!session.send(pdu, undefined, sent)) {
    stderr({ not_sent: pdu.command, reason: 'connection is not writable' });
  }
}

function nack(session, pdu, status) {
  send(session, new smpp.PDU('generic_nack', {
    sequence_number: pdu.sequence_number,
    command_status: status,
  }));
}

// YYMMDDhhmm, UTC.
function receiptDate(date) {
  return date.toISOString().replace(/^..(..)-(..)-(..)T(..):(..).*$/, '$1$2$3$4$5');
}

// The first 20 characters of the message, kept to printable ASCII so the receipt is plain text.
function receiptTextOf(fields) {
  return [...(fields.message_text || '')].slice(0, 20)
    .map((c) => (c >= ' ' && c <= '~' ? c : '?')).join('');
}

function receiverFor(submitter) {
  const receivers = server.sessions.filter((s) => canReceive(s) && s.systemId === submitter.systemId);
  if (spread) {
    return receivers.find((s) => s !== submitter) || receivers[0];
  }
  // A transmitter gets its receipts on a receiver bound with the same system_id.
  return canReceive(submitter) ? submitter : receivers[0];
}

function sendReceiptPdu(submitter, options, messageId) {
  const target = receiverFor(submitter);
  if (!target) {
    stderr({ receipt_dropped: messageId, reason: 'no bound receiver' });
    return;
  }
  const pdu = new smpp.PDU('deliver_sm', options);
  if (!target.send(pdu, () => target.unanswered.delete(pdu.sequence_number))) {
    stderr({ not_sent: pdu.command, reason: 'connection is not writable' });
    return;
  }
  if (spread) {
    target.unanswered.set(pdu.sequence_number, { submitter, options, messageId });
    emit({ receipt: messageId, submitted_on: submitter.bind, sent_on: target.bind });
  }
}

function sendReceipt(submitter, fields, messageId, submitted) {
  const text = `id:${messageId} sub:001 dlvrd:001 submit date:${receiptDate(submitted)} `
    + `done date:${receiptDate(new Date())} stat:DELIVRD err:000 text:${receiptTextOf(fields)}`;
  sendReceiptPdu(submitter, {
    service_type: '',
    source_addr_ton: fields.dest_addr_ton || 0,
    source_addr_npi: fields.dest_addr_npi || 0,
    source_addr: fields.destination_addr || '',
    dest_addr_ton: fields.source_addr_ton || 0,
    dest_addr_npi: fields.source_addr_npi || 0,
    destination_addr: fields.source_addr || '',
    esm_class: 0x04,
    data_coding: 0,
    short_message: Buffer.from(text, 'ascii'),
    receipted_message_id: messageId,
    message_state: 2,
  }, messageId);
}

function onBind(session, pdu) {
  if (session.mode) {
    send(session, pdu.response({ command_status: smpp.ESME_RALYBND }));
  } else if (pdu.system_id === SYSTEM_ID && pdu.password === PASSWORD) {
    session.mode = BIND_MODES[pdu.command];
    session.systemId = pdu.system_id;
    session.bind = nextBind++;
    send(session, pdu.response({ system_id: 'SMSC' }));
    emit({ bound: session.bind });
  } else {
    send(session, pdu.response({ command_status: smpp.ESME_RINVPASWD }));
  }
}

function onSubmit(session, pdu, fields) {
  if (!canSubmit(session)) {
    send(session, pdu.response({ command_status: smpp.ESME_RINVBNDSTS }));
    return;
  }
  const messageId = `n-${nextMessageId++}`;
  const submitted = new Date();
  send(session, pdu.response({ message_id: messageId }));
  if (pdu.command === 'submit_sm' && (fields.registered_delivery & 1)) {
    setTimeout(() => sendReceipt(session, fields, messageId, submitted), RECEIPT_DELAY_MS);
  }
}

function onPdu(session, pdu) {
  const fields = pdu.bytes ? describe(pdu) : {};
  const line = { received: pdu.command, sequence_number: pdu.sequence_number, bind: session.bind };
  if (pdu.command === 'unknown') {
    line.command_id = pdu.command_id;
  }
  line.command_status = pdu.command_status;
  line.fields = fields;
  emit(line);

  if (pdu.isResponse()) {
    if (pdu.command === 'unbind_resp') {
      session.mode = null;
      session.close();
    }
    return;
  }
  switch (pdu.command) {
    case 'bind_transmitter':
    case 'bind_receiver':
    case 'bind_transceiver':
      onBind(session, pdu);
      break;
    case 'enquire_link':
      send(session, pdu.response());
      break;
    case 'unbind':
      session.mode = null;
      send(session, pdu.response(), () => session.close());
      break;
    case 'submit_sm':
    case 'data_sm':
      onSubmit(session, pdu, fields);
      break;
    case 'outbind':
    case 'alert_notification':
      // No response exists for these.
      break;
    default:
      // 'unknown' (a command_id the package does not know) and the requests this SMSC does not
      // serve (query_sm, cancel_sm, replace_sm, submit_multi, ...).
      nack(session, pdu, smpp.ESME_RINVCMDID);
      break;
  }
}

function boundReceivers() {
  return server.sessions.filter(canReceive);
}

function onCommand(line) {
  if (line.trim() === '') {
    return;
  }
  const command = JSON.parse(line);
  if (command === null || typeof command !== 'object') {
    throw new Error('expected a JSON object');
  }
  if ('mo' in command) {
    const options = { data_coding: 0, ...optionsFromJson(command.mo) };
    const sessions = boundReceivers().filter((s) => !('bind' in command) || s.bind === command.bind);
    for (const session of sessions) {
      send(session, new smpp.PDU('deliver_sm', { ...options }));
    }
    emit({ mo_sent: sessions.length });
  } else if ('enquire_link' in command) {
    const sessions = server.sessions.filter((s) => s.mode);
    sessions.forEach((session) => send(session, new smpp.PDU('enquire_link')));
    emit({ enquire_link_sent: sessions.length });
  } else if ('unbind' in command) {
    const sessions = server.sessions.filter((s) => s.mode);
    sessions.forEach((session) => send(session, new smpp.PDU('unbind')));
    emit({ unbind_sent: sessions.length });
  } else {
    throw new Error(`unknown command: ${line}`);
  }
}

function main() {
  const port = Number(process.argv[2]);
  spread = process.argv[3] === 'spread';
  if ((process.argv.length !== 3 && !spread) || process.argv.length > 4 || !Number.isInteger(port) || port < 1 || port > 65535) {
    fail('usage: node server.js PORT (1-65535) [spread]');
    return;
  }

  server = smpp.createServer((session) => {
    session.mode = null;
    session.systemId = null;
    session.bind = null;
    session.unanswered = new Map();
    session.on('pdu', (pdu) => {
      try {
        onPdu(session, pdu);
      } catch (error) {
        fail(error);
      }
    });
    // A client that goes away without unbinding is not this server's failure.
    session.on('error', (error) => stderr({ session_error: error.message }));
    session.on('close', () => {
      session.mode = null;
      if (session.bind !== null) {
        emit({ closed: session.bind });
      }
      const unanswered = [...session.unanswered.values()];
      session.unanswered.clear();
      unanswered.forEach((r) => sendReceiptPdu(r.submitter, r.options, r.messageId));
    });
  });
  server.on('error', fail);
  server.listen(port, '127.0.0.1', () => {
    process.stdout.write('listening\n');
  });

  const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  input.on('line', (line) => {
    try {
      onCommand(line);
    } catch (error) {
      fail(error);
    }
  });
  // EOF on stdin stops the server, so it never outlives the process that started it.
  input.on('close', () => {
    for (const session of server.sessions) {
      session.destroy();
    }
    server.close();
    exit(0);
  });
}

main();

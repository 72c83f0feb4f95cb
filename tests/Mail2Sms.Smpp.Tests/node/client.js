// A small ESME on the smpp package's client: node client.js PORT [SYSTEM_ID [PASSWORD]]
// Binds as a transceiver (test/secret unless given) to 127.0.0.1:PORT, submits one submit_sm for
// each JSON line on stdin and prints what comes back as JSON lines; on stdin EOF it unbinds and
// exits. Protocol: README.md.
'use strict';
const readline = require('node:readline');
const { smpp, emit, exit, fail, optionsFromJson, describe } = require('./common');

const BIND_TIMEOUT_MS = 10000;
const EOF_GRACE_MS = 1000;
const DRAIN_TIMEOUT_MS = 10000;
const UNBIND_TIMEOUT_MS = 5000;

let session;
let bound = false;
let finishing = false;
let stdinClosed = false;
let pending = 0;
let nextIndex = 0;
const queue = [];

function submit({ index, options }) {
  let pdu;
  try {
    pdu = new smpp.PDU('submit_sm', options);
    pdu.toBuffer(); // The package throws here, not on send, for a short_message over 255 bytes.
  } catch (error) {
    throw new Error(`submit_sm ${index} cannot be encoded: ${error.message}`);
  }
  const sent = session.send(pdu, (resp) => {
    pending--;
    emit({
      resp: resp.command,
      command_status: resp.command_status,
      message_id: typeof resp.message_id === 'string' ? resp.message_id : null,
      sequence_number: resp.sequence_number,
      index,
    });
  });
  if (!sent) {
    throw new Error(`submit_sm ${index} not sent: the connection is not writable`);
  }
  pending++;
}

function onLine(line) {
  if (line.trim() === '') {
    return;
  }
  const options = optionsFromJson(JSON.parse(line));
  if (!('data_coding' in options)) {
    // Without it the package guesses, and sets 1 (IA5) for GSM 03.38 text.
    options.data_coding = 0;
  }
  if (!('short_message' in options)) {
    options.short_message = '';
  }
  const item = { index: nextIndex++, options };
  if (bound) {
    submit(item);
  } else {
    queue.push(item);
  }
}

function whenDrained(callback, waited = 0) {
  if (pending === 0 || waited >= DRAIN_TIMEOUT_MS) {
    callback();
    return;
  }
  setTimeout(() => whenDrained(callback, waited + 50), 50);
}

function unbind() {
  const timer = setTimeout(() => fail('no unbind_resp'), UNBIND_TIMEOUT_MS);
  session.unbind((resp) => {
    clearTimeout(timer);
    finishing = true;
    emit({ unbound: true, command_status: resp.command_status });
    session.close();
    exit(0);
  });
}

// After stdin's EOF (and the bind): wait a second for receipts, then for any submit_sm_resp still
// due, then unbind.
function maybeFinish() {
  if (!stdinClosed || !bound) {
    return;
  }
  setTimeout(() => whenDrained(unbind), EOF_GRACE_MS);
}

function onRequest(pdu) {
  const line = { received: pdu.command, sequence_number: pdu.sequence_number };
  if (pdu.command === 'unknown') {
    line.command_id = pdu.command_id;
  }
  line.command_status = pdu.command_status;
  Object.assign(line, describe(pdu));
  emit(line);
  switch (pdu.command) {
    case 'deliver_sm':
      session.send(pdu.response({ message_id: '' }));
      break;
    case 'enquire_link':
      session.send(pdu.response());
      break;
    case 'unbind':
      finishing = true;
      session.send(pdu.response(), () => {
        emit({ unbound: true, by: 'server' });
        session.close();
        exit(0);
      });
      break;
    case 'outbind':
    case 'alert_notification':
      break;
    default:
      session.send(new smpp.PDU('generic_nack', {
        sequence_number: pdu.sequence_number,
        command_status: smpp.ESME_RINVCMDID,
      }));
      break;
  }
}

function main() {
  const [portText, systemId = 'test', password = 'secret', ...rest] = process.argv.slice(2);
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || rest.length > 0) {
    fail('usage: node client.js PORT [SYSTEM_ID [PASSWORD]] (PORT 1-65535)');
    return;
  }

  session = smpp.connect({ host: '127.0.0.1', port });
  session.on('error', (error) => {
    if (!finishing) {
      fail(error);
    }
  });
  session.on('close', () => {
    if (!finishing) {
      fail('connection closed by the server');
    }
  });
  session.on('pdu', (pdu) => {
    if (pdu.isResponse()) {
      return; // Answered through the callbacks given to submit_sm, bind and unbind.
    }
    try {
      onRequest(pdu);
    } catch (error) {
      fail(error);
    }
  });

  session.on('connect', () => {
    const timer = setTimeout(() => fail('no bind_transceiver_resp'), BIND_TIMEOUT_MS);
    session.bind_transceiver({
      system_id: systemId,
      password,
      system_type: '',
      interface_version: 0x34,
      addr_ton: 0,
      addr_npi: 0,
      address_range: '',
    }, (resp) => {
      clearTimeout(timer);
      if (resp.command_status !== 0) {
        finishing = true;
        emit({ bind_failed: resp.command_status });
        session.close();
        exit(2);
        return;
      }
      bound = true;
      emit({ bound: true, system_id: resp.system_id });
      try {
        queue.splice(0).forEach(submit);
      } catch (error) {
        fail(error);
        return;
      }
      maybeFinish();
    });
  });

  const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  input.on('line', (line) => {
    try {
      onLine(line);
    } catch (error) {
      fail(error);
    }
  });
  input.on('close', () => {
    stdinClosed = true;
    maybeFinish();
  });
}

main();

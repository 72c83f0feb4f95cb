// Reads JSON lines, each one string, and writes one JSON line for each, as counted by Twilio's
// calculator (sms-segments-calculator):
//   encoding  "GSM-7" or "UCS-2"
//   segments  the number of SMS parts
//   bits      the size of the text without user data headers (7 per septet, 16 per UCS-2 unit)
//   clusters  [start, length] in UTF-16 units of each grapheme cluster of more than one code
//             point (a ZWJ family, a flag, a letter and its accent): the calculator never splits one
'use strict';
const readline = require('node:readline');
const { SegmentedMessage } = require('sms-segments-calculator');

function clustersOf(graphemes) {
  const clusters = [];
  let start = 0;
  for (const grapheme of graphemes) {
    if ([...grapheme].length > 1) {
      clusters.push([start, grapheme.length]);
    }
    start += grapheme.length;
  }
  return clusters;
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];
lines.on('line', (line) => {
  if (line.length === 0) {
    return;
  }
  const message = new SegmentedMessage(JSON.parse(line));
  out.push(JSON.stringify({
    encoding: message.encodingName,
    segments: message.segmentsCount,
    bits: message.messageSize,
    clusters: clustersOf(message.graphemes),
  }));
});
lines.on('close', () => {
  process.stdout.write(out.length === 0 ? '' : `${out.join('\n')}\n`);
});

// Test-only: status-list interoperability with two independent TypeScript implementations.
// tests/status/test_interop_js.py drives it; it never touches the network and keeps no state.
//
//   - W3C Bitstring Status List: @digitalbazaar/vc-bitstring-status-list (BitstringStatusList:
//     decode, encode, getStatus, setStatus; GZIP by pako, MSB-first bits).
//   - IETF Token Status List: @sd-jwt/jwt-status-list by the OpenWallet Foundation
//     (StatusList: decompressStatusList, compressStatusList, getStatus, setStatus; ZLIB by
//     pako, LSB-first entries).
//
//   node status.mjs
//       Reads one JSON array of operations from stdin and prints one JSON array with a result
//       per operation, in order. A refused operation gives {"error": "<message>"} instead of
//       failing the whole batch, so refusals can be tested too.
//
//       {"op": "w3c-decode", "encodedList": S}          -> {"length": N, "set": [index, ...]}
//       {"op": "w3c-encode", "length": N, "set": [...]}  -> {"encodedList": S}
//       {"op": "ietf-decode", "lst": S, "bits": B}       -> {"size": N, "values": {"index": v}}
//       {"op": "ietf-encode", "size": N, "bits": B, "values": {"index": v}} -> {"lst": S}
//
//   "set" lists the indices whose bit is 1; "values" holds only the non-zero entries.
//
// Quirks of the libraries (as of the pinned versions), which the tests rely on knowing:
// - StatusList's constructor accepts a value equal to 2**bits (it checks `> 2 ** bits`);
//   the script never passes one, and our own packer refuses it.
// - BitstringStatusList.decode checks only the "u" prefix; it enforces no minimum length.

import { BitstringStatusList } from '@digitalbazaar/vc-bitstring-status-list';
import { StatusList } from '@sd-jwt/jwt-status-list';

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function w3cDecode({ encodedList }) {
  const list = await BitstringStatusList.decode({ encodedList });
  const set = [];
  for (let index = 0; index < list.length; index++) {
    if (list.getStatus(index)) set.push(index);
  }
  return { length: list.length, set };
}

async function w3cEncode({ length, set }) {
  const list = new BitstringStatusList({ length });
  for (const index of set) list.setStatus(index, true);
  return { encodedList: await list.encode() };
}

function ietfDecode({ lst, bits }) {
  const list = StatusList.decompressStatusList(lst, bits);
  const statuses = list.statusList;
  const values = {};
  for (let index = 0; index < statuses.length; index++) {
    if (list.getStatus(index) !== 0) values[index] = list.getStatus(index);
  }
  return { size: statuses.length, values };
}

function ietfEncode({ size, bits, values }) {
  const list = new StatusList(new Array(size).fill(0), bits);
  for (const [index, value] of Object.entries(values)) list.setStatus(Number(index), value);
  return { lst: list.compressStatusList() };
}

const OPERATIONS = {
  'w3c-decode': w3cDecode,
  'w3c-encode': w3cEncode,
  'ietf-decode': ietfDecode,
  'ietf-encode': ietfEncode,
};

async function main() {
  const requests = JSON.parse(await readStdin());
  const results = [];
  for (const request of requests) {
    const operation = OPERATIONS[request.op];
    if (operation === undefined) throw new Error(`unknown operation ${request.op}`);
    try {
      results.push(await operation(request));
    } catch (error) {
      results.push({ error: String(error && error.message ? error.message : error) });
    }
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});

/**
 * The JSON form of MPTCP options, as `mptcp dump --json` prints them. The field names are a public
 * interface (issue [wire] item 8): keep them, add freely, never rename.
 *
 * 64-bit values (keys, 64-bit DSNs and Data ACKs, MP_FAIL DSN) are decimal strings because JSON
 * numbers lose precision above 2^53; 32-bit DSNs and Data ACKs are numbers, as on the wire.
 */
import { toHex } from "../wire/bytes.js";
import { formatAddress } from "../wire/address.js";
import type { ParseError } from "../wire/error.js";
import { MPC_FLAG, MPTCP_SUBTYPE, TCPRST_FLAG, type MptcpOption } from "../wire/mptcp/types.js";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

const SUBTYPE_NAMES = new Map<number, string>(Object.entries(MPTCP_SUBTYPE).map(([name, code]) => [code, name]));

/** The RFC name of a subtype code, or `UNKNOWN(n)`. */
export function subtypeName(code: number): string {
  return SUBTYPE_NAMES.get(code) ?? `UNKNOWN(${code})`;
}

function flagObject(value: number, bits: Record<string, number>): JsonObject {
  const out: JsonObject = {};
  for (const [letter, bit] of Object.entries(bits)) out[letter] = (value & bit) !== 0;
  return out;
}

/** A DSS field that is 64 or 32 bits on the wire. */
function wide(value: bigint, is64: boolean): JsonValue {
  return is64 ? value.toString() : Number(value);
}

export function mptcpOptionJson(opt: MptcpOption): JsonObject {
  switch (opt.subtype) {
    case "MP_CAPABLE": {
      const o: JsonObject = { subtype: opt.subtype, version: opt.version, flags: flagObject(opt.flags, MPC_FLAG) };
      if (opt.sendKey !== undefined) o.sendKey = opt.sendKey.toString();
      if (opt.recvKey !== undefined) o.recvKey = opt.recvKey.toString();
      if (opt.dataLen !== undefined) o.dataLen = opt.dataLen;
      if (opt.checksum !== undefined) o.checksum = opt.checksum;
      return o;
    }
    case "MP_JOIN":
      switch (opt.form) {
        case "syn":
          return { subtype: opt.subtype, form: opt.form, backup: opt.backup, addrId: opt.addrId, token: opt.token, nonce: opt.nonce };
        case "synack":
          return { subtype: opt.subtype, form: opt.form, backup: opt.backup, addrId: opt.addrId, hmac: toHex(opt.hmac), nonce: opt.nonce };
        case "ack":
          return { subtype: opt.subtype, form: opt.form, hmac: toHex(opt.hmac) };
      }
      break;
    case "DSS": {
      const o: JsonObject = {
        subtype: opt.subtype,
        flags: {
          A: opt.dataAck !== undefined,
          a: opt.dataAck64,
          M: opt.dsn !== undefined,
          m: opt.dsn64,
          F: opt.fin,
        },
        fin: opt.fin,
      };
      if (opt.dataAck !== undefined) o.dataAck = wide(opt.dataAck, opt.dataAck64);
      if (opt.dsn !== undefined) {
        o.dsn = wide(opt.dsn, opt.dsn64);
        o.ssn = opt.ssn ?? 0;
        o.dataLen = opt.dataLen ?? 0;
        if (opt.dataLen === 0) o.infinite = true;
      }
      if (opt.checksum !== undefined) o.checksum = opt.checksum;
      return o;
    }
    case "ADD_ADDR": {
      const o: JsonObject = { subtype: opt.subtype, version: opt.version, echo: opt.echo, addrId: opt.addrId, addr: formatAddress(opt.addr) };
      if (opt.version === 0) o.ipVersion = opt.addr.length === 4 ? 4 : 6;
      if (opt.port !== undefined) o.port = opt.port;
      if (opt.hmac !== undefined) o.hmac = toHex(opt.hmac);
      return o;
    }
    case "REMOVE_ADDR":
      return { subtype: opt.subtype, addrIds: [...opt.addrIds] };
    case "MP_PRIO": {
      const o: JsonObject = { subtype: opt.subtype, backup: opt.backup };
      if (opt.addrId !== undefined) o.addrId = opt.addrId;
      return o;
    }
    case "MP_FAIL":
      return { subtype: opt.subtype, dsn: opt.dsn.toString() };
    case "MP_FASTCLOSE":
      return { subtype: opt.subtype, key: opt.key.toString() };
    case "MP_TCPRST":
      return { subtype: opt.subtype, flags: flagObject(opt.flags, TCPRST_FLAG), reason: opt.reason };
    case "MP_EXPERIMENTAL":
      return { subtype: opt.subtype, nibble: opt.nibble, data: toHex(opt.data) };
    case "UNKNOWN":
      return { subtype: subtypeName(opt.code), code: opt.code, nibble: opt.nibble, data: toHex(opt.data) };
  }
}

/** An MPTCP option that did not decode: shown, never hidden. */
export function malformedMptcpJson(bytes: Uint8Array, error: ParseError): JsonObject {
  const subtype = bytes.length >= 3 ? subtypeName(bytes[2]! >> 4) : "UNKNOWN";
  return { subtype, malformed: true, error: error.toString(), bytes: toHex(bytes) };
}

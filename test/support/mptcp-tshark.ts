/**
 * The MPTCP fields of `mptcp dump --json`, translated into the tshark fields (Wireshark's
 * packet-tcp.c names) that carry the same values, in the order tshark lists them: each field's
 * values in the order of the options in the segment.
 */
import { fromHex } from "../../src/wire/bytes.js";
import type { JsonObject } from "../../src/dump/mptcp-json.js";
import { MPTCP_SUBTYPE } from "../../src/wire/mptcp/types.js";

const P = "tcp.options.mptcp.";

export const MPTCP_TSHARK_FIELDS = [
  "subtype", "version", "checksumreq.flags", "extensibility.flag", "nomoresubflows.flag", "sha256.flag", "sha1.flag",
  "sendkey", "recvkey", "datalvllen", "checksum", "backup.flag", "addrid", "recvtok", "sendrand", "sendtrunchmac",
  "sendhmac", "datafin.flag", "dseqn8.flag", "dseqnpresent.flag", "dataack8.flag", "dataackpresent.flag",
  "rawdataack", "rawdataseqno", "subflowseqno", "echo", "ipver", "ipv4", "ipv6", "port", "addaddrtrunchmac",
  "flag_U.flag", "flag_V.flag", "flag_W.flag", "flag_T.flag", "rst_reason",
].map((f) => P + f);

function hexToDecimal(hex: string): string {
  return BigInt("0x" + Buffer.from(fromHex(hex)).toString("hex")).toString();
}

const b = (v: unknown): string => (v ? "1" : "0");

/** tshark's view of the MPTCP options of one segment, computed from our JSON. */
export function expectedTsharkFields(options: JsonObject[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const put = (field: string, value: unknown): void => {
    if (value === undefined) return;
    const list = out.get(P + field) ?? [];
    list.push(String(value));
    out.set(P + field, list);
  };
  for (const o of options) {
    const code = MPTCP_SUBTYPE[o.subtype as keyof typeof MPTCP_SUBTYPE];
    put("subtype", code ?? o.code);
    const flags = (o.flags ?? {}) as Record<string, boolean>;
    switch (o.subtype) {
      case "MP_CAPABLE":
        put("version", o.version);
        put("checksumreq.flags", b(flags.A));
        put("extensibility.flag", b(flags.B));
        // Wireshark reads the flags the RFC 8684 way only for version 1, the RFC 6824 way otherwise.
        if (o.version === 1) put("nomoresubflows.flag", b(flags.C));
        put(o.version === 1 ? "sha256.flag" : "sha1.flag", b(flags.H));
        put("sendkey", o.sendKey);
        put("recvkey", o.recvKey);
        put("datalvllen", o.dataLen);
        put("checksum", o.checksum);
        break;
      case "MP_JOIN":
        if (o.form !== "ack") { put("backup.flag", b(o.backup)); put("addrid", o.addrId); }
        if (o.form === "syn") { put("recvtok", o.token); put("sendrand", o.nonce); }
        if (o.form === "synack") { put("sendtrunchmac", hexToDecimal(o.hmac as string)); put("sendrand", o.nonce); }
        if (o.form === "ack") put("sendhmac", o.hmac);
        break;
      case "DSS":
        put("datafin.flag", b(flags.F));
        put("dseqn8.flag", b(flags.m));
        put("dseqnpresent.flag", b(flags.M));
        put("dataack8.flag", b(flags.a));
        put("dataackpresent.flag", b(flags.A));
        put("rawdataack", o.dataAck);
        put("rawdataseqno", o.dsn);
        put("subflowseqno", o.ssn);
        put("datalvllen", o.dataLen);
        put("checksum", o.checksum);
        break;
      case "ADD_ADDR":
        if (o.version === 0) put("ipver", o.ipVersion);
        else put("echo", b(o.echo));
        put("addrid", o.addrId);
        put(String(o.addr).includes(":") ? "ipv6" : "ipv4", o.addr);
        put("port", o.port);
        if (o.hmac !== undefined) put("addaddrtrunchmac", hexToDecimal(o.hmac as string));
        break;
      case "REMOVE_ADDR":
        for (const id of o.addrIds as number[]) put("addrid", id);
        break;
      case "MP_PRIO":
        put("backup.flag", b(o.backup));
        put("addrid", o.addrId);
        break;
      case "MP_FAIL":
        put("rawdataseqno", o.dsn);
        break;
      case "MP_FASTCLOSE":
        put("recvkey", o.key);
        break;
      case "MP_TCPRST":
        for (const f of ["U", "V", "W", "T"]) put(`flag_${f}.flag`, b(flags[f]));
        put("rst_reason", o.reason);
        break;
    }
  }
  return out;
}

/** Normalises one tshark field value for comparison: numbers (decimal or 0x hex), booleans, text. */
export function normalise(value: string): string {
  if (value === "True") return "1";
  if (value === "False") return "0";
  if (/^0x[0-9a-f]+$/i.test(value)) return BigInt(value).toString();
  return value.toLowerCase();
}

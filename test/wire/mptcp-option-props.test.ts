/**
 * Properties of the MPTCP option codec over generated input: every repr round-trips through its
 * bytes, every decodable byte string round-trips through its repr, and no input makes the parser
 * throw or read past its end.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { isParseError } from "../../src/wire/error.js";
import type {
  AddAddr,
  Dss,
  MpCapable,
  MpExperimental,
  MpFail,
  MpFastclose,
  MpJoin,
  MpPrio,
  MptcpOption,
  MpTcpRst,
  MpUnknown,
  RemoveAddr,
} from "../../src/wire/mptcp/types.js";
import { encodeMptcpOption, mptcpOptionLength, parseMptcpOption } from "../../src/wire/mptcp/option.js";
import { runs } from "../support/fuzz.js";

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.bigInt({ min: 0n, max: 0xffffffffffffffffn });
const u32n = fc.bigInt({ min: 0n, max: 0xffffffffn });
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
/** Reserved bits: absent most of the time, as on the wire; the reprs omit them when zero. */
const reserved = (max: number) =>
  fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 1, max }) });
/** Sets `key` only when `value` is defined: the reprs omit absent fields rather than hold undefined. */
function put<T extends object>(o: T, key: keyof T, value: unknown): T {
  if (value !== undefined) (o as Record<PropertyKey, unknown>)[key] = value;
  return o;
}
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const mpCapable: fc.Arbitrary<MpCapable> = fc
  .record({ version: fc.integer({ min: 0, max: 15 }), flags: u8, stack: fc.integer({ min: 0, max: 4 }), k1: u64, k2: u64, len: u16, ck: u16 })
  .map(({ version, flags, stack, k1, k2, len, ck }) => {
    const o: MpCapable = { subtype: "MP_CAPABLE", version, flags };
    if (stack >= 1) o.sendKey = k1;
    if (stack >= 2) o.recvKey = k2;
    if (stack >= 3) o.dataLen = len;
    if (stack >= 4) o.checksum = ck;
    return o;
  });

const mpJoin: fc.Arbitrary<MpJoin> = fc.oneof(
  fc
    .record({ backup: fc.boolean(), addrId: u8, token: u32, nonce: u32, r: reserved(7) })
    .map(({ r, ...f }) => put<MpJoin>({ subtype: "MP_JOIN", form: "syn", ...f }, "reserved", r)),
  fc
    .record({ backup: fc.boolean(), addrId: u8, hmac: bytes(8), nonce: u32, r: reserved(7) })
    .map(({ r, ...f }) => put<MpJoin>({ subtype: "MP_JOIN", form: "synack", ...f }, "reserved", r)),
  fc.record({ hmac: bytes(20), r: reserved(0xfff) }).map(({ r, hmac }) => put<MpJoin>({ subtype: "MP_JOIN", form: "ack", hmac }, "reserved", r)),
);

const dss: fc.Arbitrary<Dss> = fc
  .record({
    fin: fc.boolean(),
    dataAck64: fc.boolean(),
    dsn64: fc.boolean(),
    ack: fc.boolean(),
    map: fc.boolean(),
    ack64: u64,
    ack32: u32n,
    dsnv64: u64,
    dsnv32: u32n,
    ssn: u32,
    dataLen: u16,
    checksum: maybe(u16),
    r: reserved(0x7f),
  })
  .map((f) => {
    const o: Dss = { subtype: "DSS", fin: f.fin, dataAck64: f.dataAck64, dsn64: f.dsn64 };
    if (f.ack) o.dataAck = f.dataAck64 ? f.ack64 : f.ack32;
    if (f.map) {
      o.dsn = f.dsn64 ? f.dsnv64 : f.dsnv32;
      o.ssn = f.ssn;
      o.dataLen = f.dataLen;
      put(o, "checksum", f.checksum);
    }
    return put(o, "reserved", f.r);
  });

const addAddr: fc.Arbitrary<AddAddr> = fc.oneof(
  fc
    .record({
      echo: fc.boolean(),
      addrId: u8,
      addr: fc.oneof(bytes(4), bytes(16)),
      port: maybe(u16),
      hmac: maybe(bytes(8)),
      // Reserved 2 and 3 without E would make the nibble a v0 IPVer (see addr.ts).
      r: reserved(7),
    })
    .filter(({ echo, r }) => echo || (r !== 2 && r !== 3))
    .map(({ port, hmac, r, ...f }) => {
      const o: AddAddr = { subtype: "ADD_ADDR", version: 1, ...f };
      if (port !== undefined) o.port = port;
      if (hmac !== undefined) o.hmac = hmac;
      return put(o, "reserved", r);
    }),
  fc.record({ addrId: u8, addr: fc.oneof(bytes(4), bytes(16)), port: maybe(u16) }).map(({ port, ...f }) => {
    const o: AddAddr = { subtype: "ADD_ADDR", version: 0, echo: false, ...f };
    if (port !== undefined) o.port = port;
    return o;
  }),
);

const removeAddr: fc.Arbitrary<RemoveAddr> = fc
  .record({ addrIds: fc.array(u8, { minLength: 1, maxLength: 40 }), r: reserved(15) })
  .map(({ addrIds, r }) => put<RemoveAddr>({ subtype: "REMOVE_ADDR", addrIds }, "reserved", r));

const mpPrio: fc.Arbitrary<MpPrio> = fc.record({ backup: fc.boolean(), addrId: maybe(u8), r: reserved(7) }).map(({ backup, addrId, r }) => {
  const o: MpPrio = { subtype: "MP_PRIO", backup };
  if (addrId !== undefined) o.addrId = addrId;
  return put(o, "reserved", r);
});

const mpFail: fc.Arbitrary<MpFail> = fc.record({ dsn: u64, r: reserved(0xfff) }).map(({ dsn, r }) => put<MpFail>({ subtype: "MP_FAIL", dsn }, "reserved", r));
const mpFastclose: fc.Arbitrary<MpFastclose> = fc
  .record({ key: u64, r: reserved(0xfff) })
  .map(({ key, r }) => put<MpFastclose>({ subtype: "MP_FASTCLOSE", key }, "reserved", r));
const mpTcpRst: fc.Arbitrary<MpTcpRst> = fc.record({ flags: fc.integer({ min: 0, max: 15 }), reason: u8 }).map((f) => ({ subtype: "MP_TCPRST", ...f }));
const mpExperimental: fc.Arbitrary<MpExperimental> = fc
  .record({ nibble: fc.integer({ min: 0, max: 15 }), data: fc.uint8Array({ maxLength: 37 }) })
  .map((f) => ({ subtype: "MP_EXPERIMENTAL", ...f }));
const mpUnknown: fc.Arbitrary<MpUnknown> = fc
  .record({ code: fc.integer({ min: 9, max: 14 }), nibble: fc.integer({ min: 0, max: 15 }), data: fc.uint8Array({ maxLength: 37 }) })
  .map((f) => ({ subtype: "UNKNOWN", ...f }));

const anyOption: fc.Arbitrary<MptcpOption> = fc.oneof(
  mpCapable,
  mpJoin,
  dss,
  addAddr,
  removeAddr,
  mpPrio,
  mpFail,
  mpFastclose,
  mpTcpRst,
  mpExperimental,
  mpUnknown,
);

/**
 * `b` behind a proxy that throws on any index past its end. A typed array answers such reads with
 * `undefined`, which the bit operations would quietly turn into 0; this makes them loud. Methods
 * (`subarray`) run on the array itself.
 */
function guarded(b: Uint8Array): Uint8Array {
  return new Proxy(b, {
    get(target, prop) {
      if (typeof prop === "string" && /^\d+$/.test(prop) && Number(prop) >= target.length) {
        throw new RangeError(`read of byte ${prop} of ${target.length}`);
      }
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Parses guarded input, turning any exception into a failure that shows the input. */
function parseNoThrow(b: Uint8Array): ReturnType<typeof parseMptcpOption> {
  try {
    return parseMptcpOption(guarded(b));
  } catch (e) {
    assert.fail(`parser threw on ${Buffer.from(b).toString("hex")}: ${String(e)}`);
  }
}

describe("MPTCP option properties", () => {
  test("the guard used below catches a read past the end", () => {
    const g = guarded(Uint8Array.of(1, 2));
    assert.equal(g[1], 2);
    assert.equal(g.subarray(1).length, 1);
    assert.throws(() => g[2], RangeError);
  });

  test("parse(encode(x)) equals x, and the length agrees", () => {
    fc.assert(
      fc.property(anyOption, (opt) => {
        const b = encodeMptcpOption(opt);
        assert.equal(b.length, mptcpOptionLength(opt));
        assert.equal(b[1], b.length);
        assert.deepEqual(parseMptcpOption(b), opt);
      }),
      { numRuns: runs(3000) },
    );
  });

  test("encode(parse(b)) equals b for every byte string that parses", () => {
    const raw = fc
      .record({ subtypeByte: u8, body: fc.uint8Array({ minLength: 0, maxLength: 38 }) })
      .map(({ subtypeByte, body }) => Uint8Array.of(30, body.length + 3, subtypeByte, ...body));
    let decoded = 0;
    fc.assert(
      fc.property(raw, (b) => {
        const r = parseNoThrow(b);
        if (isParseError(r)) return;
        decoded++;
        assert.deepEqual(encodeMptcpOption(r), b);
      }),
      { numRuns: runs(4000) },
    );
    assert.ok(decoded > 100, `only ${decoded} inputs decoded`);
  });

  test("random bytes never throw", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (b) => {
        const r = parseNoThrow(b);
        if (!isParseError(r)) assert.deepEqual(encodeMptcpOption(r), b);
      }),
      { numRuns: runs(3000) },
    );
  });

  test("mutated valid options never throw, and whatever still parses round-trips", () => {
    const mutated = fc
      .record({ opt: anyOption, at: fc.nat(), value: u8, cut: fc.nat({ max: 40 }), mode: fc.integer({ min: 0, max: 2 }) })
      .map(({ opt, at, value, cut, mode }) => {
        const b = encodeMptcpOption(opt);
        if (mode === 0) {
          b[at % b.length] = value;
          return b;
        }
        // Truncated or extended, with the length byte following (mode 1) or not (mode 2).
        const out = new Uint8Array(cut);
        out.set(b.subarray(0, Math.min(cut, b.length)));
        if (mode === 1 && cut > 1) out[1] = cut;
        return out;
      });
    fc.assert(
      fc.property(mutated, (b) => {
        const r = parseNoThrow(b);
        if (!isParseError(r)) assert.deepEqual(encodeMptcpOption(r), b);
      }),
      { numRuns: runs(4000) },
    );
  });
});

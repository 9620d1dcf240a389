// Assembles a WebAssembly text file into a TypeScript module exporting its bytes, so the runtime
// needs no assembler (and no file read) to instantiate it:
//
//   node scripts/assemble-wasm.mjs src/wire/checksum.wat src/wire/checksum-wasm.ts [--check]
//
// With --check it writes nothing and fails if the TypeScript file is not what it would write
// (test/wire/checksum-simd.test.ts runs that, so the two cannot drift apart).
//
// It reads only the subset of the text format the project's modules use: one module of memories
// and functions with `(export "...")`, params, one result and locals, and function bodies in the
// flat (unfolded) instruction form, with named locals and block labels. The instructions it knows
// are in OPCODES below (their codes from the WebAssembly core specification §5.4, and the SIMD
// proposal's binary encoding for those after the 0xfd prefix); anything else is an error naming
// the line, never a guess.
import { Buffer } from "node:buffer";
import { readFileSync, writeFileSync } from "node:fs";

const TYPES = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Plain opcodes and their immediates. */
const OPCODES = {
  "local.get": [0x20, "local"],
  "local.set": [0x21, "local"],
  "local.tee": [0x22, "local"],
  "i32.const": [0x41, "i32"],
  "i64.const": [0x42, "i64"],
  "i32.add": [0x6a],
  "i32.gt_u": [0x4b],
  "i32.ge_u": [0x4f],
  "i32.wrap_i64": [0xa7],
  "i64.add": [0x7c],
  "i64.and": [0x83],
  "i64.shr_u": [0x88],
  block: [0x02, "block"],
  loop: [0x03, "block"],
  end: [0x0b, "end"],
  br: [0x0c, "label"],
  br_if: [0x0d, "label"],
};

/** Instructions after the 0xfd prefix (their number is a LEB128 u32). */
const SIMD = {
  "v128.load": [0, "memarg"],
  "v128.store": [11, "memarg"],
  "v128.const": [12, "v128"],
  "i64x2.extract_lane": [29, "lane"],
  "i32x4.extadd_pairwise_i16x8_u": [127],
  "i32x4.add": [174],
  "i64x2.extend_low_i32x4_u": [201],
  "i64x2.extend_high_i32x4_u": [202],
  "i64x2.add": [206],
};

/** log2 of each SIMD memory access's natural alignment, the default `align` of its memarg. */
const NATURAL_ALIGN = { "v128.load": 4, "v128.store": 4 };

function uleb(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

function sleb(n) {
  const out = [];
  let v = BigInt(n);
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const name = (s) => [...uleb(Buffer.byteLength(s)), ...Buffer.from(s)];
const vec = (items) => [...uleb(items.length), ...items.flat()];
const section = (id, body) => [id, ...uleb(body.length), ...body];

/** Tokens with their line numbers: parentheses, strings and atoms; `;;` comments dropped. */
function tokenize(text) {
  const tokens = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/;;.*$/, "");
    for (const m of line.matchAll(/[()]|"[^"]*"|[^\s()]+/g)) tokens.push({ t: m[0], line: i + 1 });
  });
  return tokens;
}

/** S-expressions: a list is an array (with `.line`), an atom a token. */
function parse(tokens) {
  let k = 0;
  function node() {
    const tok = tokens[k++];
    if (tok.t !== "(") return tok;
    const list = [];
    list.line = tok.line;
    while (tokens[k]?.t !== ")") {
      if (k >= tokens.length) throw new Error(`line ${tok.line}: unclosed (`);
      list.push(node());
    }
    k++;
    return list;
  }
  return node();
}

function fail(line, msg) {
  throw new Error(`line ${line}: ${msg}`);
}

const head = (x) => (Array.isArray(x) ? x[0]?.t : undefined);

function assemble(text) {
  const mod = parse(tokenize(text));
  if (head(mod) !== "module") fail(mod.line ?? 1, "expected (module ...)");
  const types = [];
  const funcs = [];
  const memories = [];
  const exports = [];
  const codes = [];
  for (const field of mod.slice(1)) {
    const kind = head(field);
    const exported = field.find((x) => head(x) === "export");
    if (kind === "memory") {
      if (exported) exports.push([...name(JSON.parse(exported[1].t)), 0x02, ...uleb(memories.length)]);
      const min = field.find((x) => !Array.isArray(x) && /^\d+$/.test(x.t));
      if (!min) fail(field.line, "memory without a size");
      memories.push([0x00, ...uleb(Number(min.t))]);
    } else if (kind === "func") {
      if (exported) exports.push([...name(JSON.parse(exported[1].t)), 0x00, ...uleb(funcs.length)]);
      const locals = new Map();
      const params = [];
      const results = [];
      const declared = [];
      const body = [];
      for (const x of field.slice(1)) {
        const h = head(x);
        if (h === "export") continue;
        if (h === "param" || h === "local") {
          const id = x[1].t.startsWith("$") ? x[1].t : undefined;
          for (const ty of x.slice(id ? 2 : 1)) {
            if (!(ty.t in TYPES)) fail(x.line, `unknown type ${ty.t}`);
            if (id) locals.set(id, locals.size);
            else locals.set(`#${locals.size}`, locals.size);
            (h === "param" ? params : declared).push(TYPES[ty.t]);
          }
        } else if (h === "result") for (const ty of x.slice(1)) results.push(TYPES[ty.t]);
        else if (Array.isArray(x)) fail(x.line, `folded instructions are not supported: (${h} ...)`);
        else body.push(x);
      }
      types.push([0x60, ...vec(params.map((p) => [p])), ...vec(results.map((r) => [r]))]);
      funcs.push(uleb(types.length - 1));
      const code = [...vec(declared.map((ty) => [1, ty])), ...instructions(body, locals, field.line), 0x0b];
      codes.push([...uleb(code.length), ...code]);
    } else fail(field.line, `unsupported module field ${kind}`);
  }
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(3, vec(funcs)),
    ...section(5, vec(memories)),
    ...section(7, vec(exports)),
    ...section(10, vec(codes)),
  ]);
}

function instructions(tokens, locals, funcLine) {
  const out = [];
  const labels = [];
  let k = 0;
  const next = (line) => tokens[k++] ?? fail(line, "missing immediate");
  while (k < tokens.length) {
    const { t: op, line } = tokens[k++];
    const plain = OPCODES[op];
    const simd = SIMD[op];
    if (!plain && !simd) fail(line, `unknown instruction ${op}`);
    const [code, imm] = plain ?? simd;
    if (plain) out.push(code);
    else out.push(0xfd, ...uleb(code));
    switch (imm) {
      case undefined:
        break;
      case "local": {
        const id = next(line).t;
        const index = id.startsWith("$") ? locals.get(id) : Number(id);
        if (index === undefined || Number.isNaN(index)) fail(line, `unknown local ${id}`);
        out.push(...uleb(index));
        break;
      }
      case "i32":
      case "i64":
        out.push(...sleb(BigInt.asIntN(imm === "i32" ? 32 : 64, BigInt(next(line).t))));
        break;
      case "block": {
        const label = tokens[k]?.t.startsWith("$") ? tokens[k++].t : undefined;
        labels.push(label);
        out.push(0x40); // empty block type
        break;
      }
      case "end":
        if (labels.length === 0) fail(line, "end without a block");
        labels.pop();
        break;
      case "label": {
        const id = next(line).t;
        const depth = id.startsWith("$") ? labels.length - 1 - labels.lastIndexOf(id) : Number(id);
        if (id.startsWith("$") && !labels.includes(id)) fail(line, `unknown label ${id}`);
        out.push(...uleb(depth));
        break;
      }
      case "memarg": {
        let offset = 0;
        let align = NATURAL_ALIGN[op];
        while (/^(offset|align)=/.test(tokens[k]?.t ?? "")) {
          const [key, value] = tokens[k++].t.split("=");
          if (key === "offset") offset = Number(value);
          else align = Math.log2(Number(value));
        }
        out.push(...uleb(align), ...uleb(offset));
        break;
      }
      case "lane":
        out.push(Number(next(line).t));
        break;
      case "v128": {
        const shape = next(line).t;
        const lanes = { i64x2: [2, 8], i32x4: [4, 4] }[shape] ?? fail(line, `unsupported v128 shape ${shape}`);
        const bytes = [];
        for (let i = 0; i < lanes[0]; i++) {
          let v = BigInt.asUintN(lanes[1] * 8, BigInt(next(line).t));
          for (let b = 0; b < lanes[1]; b++, v >>= 8n) bytes.push(Number(v & 0xffn));
        }
        out.push(...bytes);
        break;
      }
      default:
        fail(line, `internal: immediate ${imm}`);
    }
  }
  if (labels.length !== 0) fail(funcLine, "unclosed block");
  return out;
}

function typescript(bytes, source) {
  const lines = [];
  for (let i = 0; i < bytes.length; i += 16) {
    lines.push("  " + [...bytes.subarray(i, i + 16)].map((b) => `0x${b.toString(16).padStart(2, "0")},`).join(" "));
  }
  return (
    `// Generated by scripts/assemble-wasm.mjs from ${source}: do not edit, edit that file and run\n` +
    `// \`node scripts/assemble-wasm.mjs ${source} <this file>\`.\n` +
    `export const WASM_BYTES: Uint8Array<ArrayBuffer> = Uint8Array.of(\n${lines.join("\n")}\n);\n`
  );
}

const [src, dst, flag] = process.argv.slice(2);
if (src === undefined || dst === undefined) {
  console.error("usage: node scripts/assemble-wasm.mjs MODULE.wat OUT.ts [--check]");
  process.exit(2);
}
const text = typescript(assemble(readFileSync(src, "utf8")), src);
if (flag === "--check") {
  let current = "";
  try {
    current = readFileSync(dst, "utf8");
  } catch {
    // missing: not up to date
  }
  if (current !== text) {
    console.error(`${dst} is not the assembly of ${src}: run node scripts/assemble-wasm.mjs ${src} ${dst}`);
    process.exit(1);
  }
} else writeFileSync(dst, text);

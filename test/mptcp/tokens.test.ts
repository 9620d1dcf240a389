import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { TokenTable } from "../../src/mptcp/tokens.js";
import { keyToken, KEY_GENERATION_ATTEMPTS } from "../../src/crypto/keys.js";
import type { RandomSource } from "../../src/crypto/random.js";
import { writeU64 } from "../../src/wire/bytes.js";

// Key-A and Key-B of the live Linux capture (mptcp-facts.md §1) and their tokens.
const KEY_A = 13920158517584715780n;
const KEY_B = 7062520452417092820n;
const TOKEN_A = 2698039848;
const TOKEN_B = 1637452703;

/** A random source that hands out the given keys, in order, then repeats the last. */
function keys(...ks: bigint[]): RandomSource & { drawn: number } {
  const src = {
    drawn: 0,
    fillBytes(out: Uint8Array): void {
      const k = ks[Math.min(src.drawn, ks.length - 1)]!;
      src.drawn++;
      writeU64(out, 0, k);
    },
  };
  return src;
}

describe("TokenTable", () => {
  test("allocate derives the token from the key and registers the owner", () => {
    const t = new TokenTable<string>();
    const m = t.allocate(keys(KEY_A), 1, "conn-a");
    assert.deepEqual(m, { key: KEY_A, token: TOKEN_A, idsn: 13190437782058015793n });
    assert.equal(t.lookup(TOKEN_A), "conn-a");
    assert.equal(t.size, 1);
  });

  test("on a token collision a new key is drawn (RFC 8684 §3.1)", () => {
    const t = new TokenTable<string>();
    assert.ok(t.register(keyToken(KEY_A, 1), "first"));
    const rng = keys(KEY_A, KEY_B);
    const m = t.allocate(rng, 1, "second");
    assert.equal(m?.key, KEY_B);
    assert.equal(m?.token, TOKEN_B);
    assert.equal(rng.drawn, 2);
    assert.equal(t.lookup(TOKEN_A), "first");
    assert.equal(t.lookup(TOKEN_B), "second");
  });

  test("a random source that only collides gives up", () => {
    const t = new TokenTable<string>();
    t.register(TOKEN_A, "first");
    const rng = keys(KEY_A);
    assert.equal(t.allocate(rng, 1, "second"), undefined);
    assert.equal(rng.drawn, KEY_GENERATION_ATTEMPTS);
    assert.equal(t.size, 1);
  });

  test("unknown tokens, removal and the size bound (RFC 7430)", () => {
    const t = new TokenTable<number>(1);
    assert.equal(t.lookup(12345), undefined);
    assert.ok(t.register(-1, 7), "tokens are taken as unsigned 32-bit");
    assert.equal(t.lookup(0xffffffff), 7);
    assert.ok(t.has(0xffffffff));
    assert.equal(t.register(5, 8), false, "full");
    assert.equal(t.allocate(keys(KEY_A), 1, 9), undefined, "full");
    assert.equal(t.register(0xffffffff, 8), false, "taken");
    assert.ok(t.remove(0xffffffff));
    assert.equal(t.remove(0xffffffff), false);
    assert.ok(t.register(5, 8));
  });

  test("v0 tokens use SHA-1 (RFC 6824 §3.1)", () => {
    const t = new TokenTable<string>();
    assert.equal(t.allocate(keys(14568871653868829995n), 0, "v0")?.token, 2280993044);
  });
});

/**
 * Traffic applications driven by Host events: a bulk sender of N pseudo-random bytes and a sink
 * that reads everything. Both hash the bytes as they go (SHA-256), so a run checks end-to-end
 * integrity without keeping the data: what the sink read must hash to what the sender wrote.
 *
 * The sender writes when the connection says it can (on "connected" and "writable") and stops at
 * a short write; the sink reads on "readable". They never poll, as a real event-driven
 * application would not.
 */
import { createCipheriv, createHash } from "node:crypto";
import type { Hash } from "node:crypto";
import type { Connection } from "../../stack/connection.js";
import type { ConnectionEventType } from "../../stack/events.js";
import type { Rng } from "../rng.js";

/** What a SimHost tells an application about its connection. */
export interface App {
  onEvent(type: ConnectionEventType, conn: Connection, now: number): void;
}

const CHUNK = 64 * 1024;
const ZEROS = new Uint8Array(CHUNK);

/**
 * A reproducible stream of pseudo-random bytes: the AES-128-CTR keystream under a key and IV
 * drawn from `rng` (fast, and incompressible, like real payload).
 */
export class PayloadStream {
  private readonly cipher;

  constructor(rng: Rng) {
    const key = new Uint8Array(16);
    const iv = new Uint8Array(16);
    rng.fillBytes(key);
    rng.fillBytes(iv);
    this.cipher = createCipheriv("aes-128-ctr", key, iv);
  }

  /** The next `n` bytes (at most 64 KiB). */
  next(n: number): Uint8Array {
    const b = this.cipher.update(ZEROS.subarray(0, n));
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
}

export class BulkSender implements App {
  /** Bytes the connection accepted. */
  bytesSent = 0;
  private readonly hash: Hash = createHash("sha256");
  private pending: Uint8Array | undefined;
  private digestHex: string | undefined;

  constructor(
    readonly total: number,
    private readonly stream: PayloadStream,
  ) {}

  /** SHA-256 of every byte written so far (final once all were). */
  digest(): string {
    this.digestHex ??= this.hash.digest("hex");
    return this.digestHex;
  }

  onEvent(type: ConnectionEventType, conn: Connection): void {
    switch (type) {
      case "connected":
      case "writable":
        this.pump(conn);
        break;
      case "peer-closed":
        // The receiver read everything and closed: our half is done too.
        conn.close();
        break;
      default:
        break;
    }
  }

  /** Writes until the connection takes no more or everything was written, then half-closes. */
  pump(conn: Connection): void {
    while (this.bytesSent < this.total) {
      const chunk = this.pending ?? this.stream.next(Math.min(CHUNK, this.total - this.bytesSent));
      const n = conn.write(chunk);
      if (n > 0) this.hash.update(chunk.subarray(0, n));
      this.bytesSent += n;
      if (n < chunk.length) {
        this.pending = chunk.subarray(n);
        return;
      }
      this.pending = undefined;
    }
    if (this.digestHex === undefined) {
      this.digest();
      conn.shutdown();
    }
  }
}

export class Sink implements App {
  bytesDelivered = 0;
  /** When the peer's FIN arrived after all data (µs), i.e. the transfer completed. */
  finishedAt: number | undefined;
  /** When the connection reached CLOSED (µs). */
  closedAt: number | undefined;
  /** Why it ended early: "reset" or "timed-out". */
  failure: string | undefined;
  private readonly hash: Hash = createHash("sha256");
  private digestHex: string | undefined;

  digest(): string {
    this.digestHex ??= this.hash.digest("hex");
    return this.digestHex;
  }

  onEvent(type: ConnectionEventType, conn: Connection, now: number): void {
    switch (type) {
      case "readable":
        this.drain(conn);
        break;
      case "peer-closed":
        this.drain(conn);
        this.finishedAt = now;
        conn.close();
        break;
      case "reset":
      case "timed-out":
        this.failure ??= type;
        break;
      case "closed":
        this.closedAt = now;
        break;
      default:
        break;
    }
  }

  private drain(conn: Connection): void {
    for (let d = conn.read(); d !== undefined; d = conn.read()) {
      this.hash.update(d);
      this.bytesDelivered += d.length;
    }
  }
}

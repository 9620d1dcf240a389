/**
 * `mptcp dump <capture> [--json]`: one line (or one JSON object) per TCP segment.
 *
 * `t` is seconds since the first frame of the capture. Frames that are not IP, IP that is not
 * TCP, and IP fragments after the first are not shown; a TCP segment whose header does not decode
 * (also one cut by the capture's snap length) is shown as MALFORMED with the reason.
 */
import { isParseError } from "../wire/error.js";
import { decodeLinkLayer, type CapturedPacket } from "../wire/pcap/index.js";
import { readCapture, CaptureFileError } from "../io/capture-file.js";
import { decodeIpPacket, type SegmentRecord, type UndecodableRecord } from "../dump/segment.js";
import { segmentText, undecodableText } from "../dump/text.js";
import { CliError } from "./errors.js";
import { LineWriter } from "./output.js";

export interface DumpOptions {
  json: boolean;
}

export async function runDump(path: string, opts: DumpOptions): Promise<void> {
  const out = new LineWriter();
  let first: CapturedPacket | undefined;
  let frame = 0;
  try {
    for await (const pkt of readCapture(path)) {
      frame++;
      first ??= pkt;
      const ip = decodeLinkLayer(pkt.linkType, pkt.data);
      if (ip === null || isParseError(ip)) continue;
      // Seconds since the first frame (as tshark's frame.time_relative), from the exact integers.
      const t = pkt.tsSec - first.tsSec + (pkt.tsNsec - first.tsNsec) / 1e9;
      // A frame cut by the snap length still shows its segment, with the length from the IP header.
      const rec = decodeIpPacket(t, ip, pkt.data.length < pkt.origLen);
      if (rec === undefined || isParseError(rec)) continue;
      if (opts.json) await out.line(JSON.stringify({ frame, ...rec }));
      else await out.line("error" in rec ? undecodableText(rec as UndecodableRecord) : segmentText(rec as SegmentRecord));
      if (out.isClosed) return;
    }
  } catch (err) {
    if (err instanceof CaptureFileError) throw new CliError(err.message);
    throw err;
  } finally {
    await out.flush();
  }
}

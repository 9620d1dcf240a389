/**
 * Endpoints written as `ip mptcp endpoint add` takes them, so a Linux configuration carries over
 * as text: `ADDR [id N] [port P] [signal] [subflow] [backup] [fullmesh]`, e.g.
 * `"10.0.1.2 id 2 signal"` or `"fd00::3 subflow backup"`. Flags may come in any order, as in
 * iproute2.
 */
import { parseAddress } from "../../wire/address.js";
import type { EndpointFlags, EndpointSpec, PmConfigError } from "./endpoints.js";

const FLAGS: readonly (keyof EndpointFlags)[] = ["signal", "subflow", "backup", "fullmesh"];

/** The endpoint `text` describes, or why it does not parse (errno EINVAL). */
export function parseEndpoint(text: string): EndpointSpec | PmConfigError {
  const words = text.trim().split(/\s+/);
  const addr = parseAddress(words[0] ?? "");
  if (addr === undefined) return { errno: "EINVAL", message: `invalid address "${words[0] ?? ""}"` };
  const spec: EndpointSpec = { addr };
  const flags: Partial<EndpointFlags> = {};
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w === "id" || w === "port") {
      const v = Number(words[++i]);
      if (!Number.isInteger(v) || v < 0 || v > (w === "id" ? 255 : 65535)) return { errno: "EINVAL", message: `invalid ${w} "${words[i] ?? ""}"` };
      spec[w] = v;
    } else if ((FLAGS as readonly string[]).includes(w)) {
      flags[w as keyof EndpointFlags] = true;
    } else {
      return { errno: "EINVAL", message: `unknown keyword "${w}"` };
    }
  }
  if (Object.keys(flags).length > 0) spec.flags = flags;
  return spec;
}

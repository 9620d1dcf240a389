/**
 * Known-answer values shared by the crypto tests, from mptcp-facts.md §1: a live Linux 6.18 v1
 * connection (tshark agreed on tokens and IDSNs) and the public v0 capture
 * teto/pymptcpanalyzer examples/client_2.pcap.
 */

/** v1 (SHA-256), live Linux 6.18; A is the client (join initiator), B the server. */
export const V1 = {
  keyA: 13920158517584715780n,
  tokenA: 2698039848,
  idsnA: 13190437782058015793n,
  keyB: 7062520452417092820n,
  tokenB: 1637452703,
  idsnB: 970911875647509058n,
  nonceA: 166604901,
  nonceB: 2339297157,
  /** Leftmost 64 bits of the SYN/ACK HMAC, as the big-endian value tshark prints. */
  synAckHmac: 7703062681642683350n,
  ackHmac: "79992efa54436db16b33b18dfe127ca26623ef10",
  /** ADD_ADDR sent by B: id 1, 10.0.2.1, no port. Rightmost 64 bits. */
  addAddr: { addrId: 1, addr: [10, 0, 2, 1], hmac: 10258151293813829166n },
  /** What the leftmost 64 bits of the same HMAC would be: the classic mistake. */
  addAddrLeftmost: 1918216928436170985n,
} as const;

/** v0 (SHA-1), from client_2.pcap. */
export const V0 = {
  keyA: 14568871653868829995n,
  tokenA: 2280993044,
  idsnA: 5947950023132234492n,
  keyB: 12070231261294881532n,
  tokenB: 804647408,
  idsnB: 5227567736771178707n,
  nonceA: 2527314580,
  nonceB: 252493897,
  synAckHmac: 9512585297590371660n,
  ackHmac: "66e36626703eacb8f72ec5be13f8c4ef4f6d4dd8",
} as const;

/**
 * From the committed test/fixtures/kernel-add-addr-port.pcap (Linux 6.18.44, docs/fixtures.md):
 * the server (B) announces 10.0.2.1 port 10100, the client (A) joins it. Copied as literals, so
 * they stay valid when the fixture is recorded again.
 */
export const V1_PORT = {
  keyA: 7711029928742933779n,
  keyB: 5851586346192524796n,
  tokenB: 1363907016,
  idsnB: 1146959369995567790n,
  addAddr: { addrId: 1, addr: [10, 0, 2, 1], port: 10100, hmac: 4698665095742955289n },
  nonceA: 2141490726,
  nonceB: 2146778300,
  synAckHmac: 15175531014242823099n,
  ackHmac: "20907a49959ed6e6dee72a8ebecfee26ef13102c",
} as const;

/** From the committed test/fixtures/kernel-ipv6.pcap: ADD_ADDR fd00:2::1 (no port) and a join. */
export const V1_IPV6 = {
  keyA: 18005898053010459274n,
  tokenA: 2431387554,
  idsnA: 17671240313745065155n,
  keyB: 3476004280706183519n,
  tokenB: 3837300973,
  idsnB: 16405403404170181890n,
  addAddr: { addrId: 1, addr: "fd00:2::1", hmac: 11552218649306303252n },
  nonceA: 2399110074,
  nonceB: 1829609647,
  synAckHmac: 6235594287014836867n,
  ackHmac: "c1207fabefbd385e007bef6a8957d0bf8828c6ba",
} as const;

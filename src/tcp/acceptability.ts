/**
 * The segment acceptability test of RFC 9293 §3.10.7.4 ("There are four cases for the
 * acceptability test for an incoming segment"), on receive offsets.
 *
 * | SEG.LEN | RCV.WND | test                                                          |
 * |---------|---------|---------------------------------------------------------------|
 * | 0       | 0       | SEG.SEQ = RCV.NXT                                             |
 * | 0       | >0      | RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND                          |
 * | >0      | 0       | not acceptable                                                |
 * | >0      | >0      | the first or the last octet lies in [RCV.NXT, RCV.NXT+RCV.WND) |
 *
 * SEG.LEN counts SYN and FIN. The special allowance for ACKs, URGs and RSTs when RCV.WND is zero
 * is left to the caller.
 */
export function segmentAcceptable(start: number, len: number, rcvNxt: number, rcvWnd: number): boolean {
  const inWindow = (x: number) => x >= rcvNxt && x < rcvNxt + rcvWnd;
  if (len === 0) return rcvWnd === 0 ? start === rcvNxt : inWindow(start);
  if (rcvWnd === 0) return false;
  return inWindow(start) || inWindow(start + len - 1);
}

/**
 * The subflow controllers of one MPTCP connection that couple their increase (RFC 6356 §3, and
 * OLIA and BALIA after it). The MPTCP layer creates one group per connection and builds each
 * subflow's controller with a factory that closes over it (src/tcp/congestion/controller.ts);
 * a controller joins when it is built and leaves on `close()`.
 */
export class CoupledGroup<C> {
  private readonly list: C[] = [];

  /** The registered controllers, in the order they joined. */
  get members(): readonly C[] {
    return this.list;
  }

  get size(): number {
    return this.list.length;
  }

  register(member: C): void {
    if (!this.list.includes(member)) this.list.push(member);
  }

  unregister(member: C): void {
    const i = this.list.indexOf(member);
    if (i >= 0) this.list.splice(i, 1);
  }
}

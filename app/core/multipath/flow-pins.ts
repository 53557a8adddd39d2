// Which path an interactive flow is on, so it stays there (no reordering inside an SSH session)
// until that path stops being eligible or is clearly beaten. A direct-mapped table indexed by
// the flow ID's low bits: fixed memory, no allocation, O(1). Two flows that collide on a slot
// just share a pin, and the loser may move once; harmless.

import type { FlowId, PathId } from '../types.ts';

/** 256 slots: a laptop has a few dozen interactive flows at most; collisions stay rare. */
const SLOTS = 256;
const NONE = -1;

export class FlowPins {
  private readonly flow = new Float64Array(SLOTS).fill(NONE);
  private readonly path = new Int32Array(SLOTS);

  /** The pinned path of `flow`, or -1. */
  get(flow: FlowId): number {
    const i = flow & (SLOTS - 1);
    return this.flow[i] === flow ? (this.path[i] ?? NONE) : NONE;
  }

  set(flow: FlowId, path: PathId): void {
    const i = flow & (SLOTS - 1);
    this.flow[i] = flow;
    this.path[i] = path;
  }
}

// Exact-length views into slabs of fixed-size slots, made once and reused. The data plane hands
// quiche and TypedArray.set exact-length views of its slabs; `subarray` per packet cost ~100
// bytes of garbage each (a gateway receiving one 180 Mbit/s flow allocated 61 MB in 8 s, 13 MB
// of it such views). Bulk packets in one slot have the same offset and length most of the time,
// so one cached view per slot serves nearly all of them.

/** Slabs one cache serves (the TUN batch, the packet pool...); views into others are not cached. */
const MAX_SLABS = 8;

interface SlabEntry {
  readonly slab: Uint8Array;
  readonly offs: Float64Array;
  readonly lens: Float64Array;
  readonly views: (Uint8Array | undefined)[];
}

export class ViewCache {
  private readonly slabs: SlabEntry[] = [];

  /** `slotSize`: the slabs' slot size; one view is cached per slot. */
  constructor(private readonly slotSize: number) {}

  /** buf[off, off + len): the same object as last time for the same slab, slot, offset and length. */
  view(buf: Uint8Array, off: number, len: number): Uint8Array {
    const e = this.entryOf(buf);
    if (e === null) return buf.subarray(off, off + len);
    const i = Math.floor(off / this.slotSize);
    const v = e.views[i];
    if (v !== undefined && e.offs[i] === off && e.lens[i] === len) return v;
    const made = buf.subarray(off, off + len);
    e.views[i] = made;
    e.offs[i] = off;
    e.lens[i] = len;
    return made;
  }

  /** Drops the views of `buf` (a connection's buffer whose path went away), freeing its place. */
  forget(buf: Uint8Array): void {
    const i = this.slabs.findIndex((e) => e.slab === buf);
    if (i >= 0) this.slabs.splice(i, 1);
  }

  private entryOf(buf: Uint8Array): SlabEntry | null {
    for (let i = 0; i < this.slabs.length; i++) {
      const e = this.slabs[i] as SlabEntry;
      if (e.slab === buf) return e;
    }
    if (this.slabs.length >= MAX_SLABS) return null;
    const n = Math.ceil(buf.length / this.slotSize) + 1;
    const e: SlabEntry = {
      slab: buf,
      offs: new Float64Array(n),
      lens: new Float64Array(n),
      views: new Array<Uint8Array | undefined>(n).fill(undefined),
    };
    this.slabs.push(e);
    return e;
  }
}

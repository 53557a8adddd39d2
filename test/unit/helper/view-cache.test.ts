import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ViewCache } from '../../../app/helper/io/view-cache.ts';

describe('ViewCache', () => {
  const slab = Uint8Array.from({ length: 64 }, (_, i) => i);

  test('the same slot, offset and length give the same view object, with the right bytes', () => {
    const c = new ViewCache(16);
    const a = c.view(slab, 18, 10);
    assert.deepEqual([...a], [18, 19, 20, 21, 22, 23, 24, 25, 26, 27]);
    assert.equal(c.view(slab, 18, 10), a);
    assert.equal(c.view(slab, 2, 10).byteOffset, 2, 'another slot has its own view');
    assert.equal(c.view(slab, 18, 10), a);
  });

  test('a new offset or length in a slot makes a new view', () => {
    const c = new ViewCache(16);
    const a = c.view(slab, 16, 8);
    const b = c.view(slab, 16, 9);
    assert.notEqual(b, a);
    assert.equal(b.length, 9);
    const d = c.view(slab, 17, 9);
    assert.deepEqual([d.byteOffset, d.length], [17, 9]);
    assert.equal(c.view(slab, 17, 9), d);
  });

  test('views follow the bytes of the slab (no copy)', () => {
    const buf = new Uint8Array(32);
    const c = new ViewCache(16);
    const v = c.view(buf, 16, 4);
    buf[17] = 99;
    assert.equal(v[1], 99);
  });

  test('several slabs each keep their views; past eight, views are made but not kept', () => {
    const c = new ViewCache(16);
    const slabs = Array.from({ length: 10 }, (_, k) => new Uint8Array(32).fill(k));
    const first = slabs.map((s) => c.view(s, 0, 4));
    slabs.forEach((s, k) => {
      const again = c.view(s, 0, 4);
      assert.deepEqual([...again], [k, k, k, k]);
      assert.equal(again === first[k], k < 8, `slab ${k}`);
    });
  });

  test('a forgotten slab frees its place for another', () => {
    const c = new ViewCache(16);
    const slabs = Array.from({ length: 9 }, () => new Uint8Array(32));
    for (const s of slabs) c.view(s, 0, 4);
    const ninth = slabs[8] as Uint8Array;
    assert.notEqual(c.view(ninth, 0, 4), c.view(ninth, 0, 4), 'full: not kept');
    c.forget(slabs[0] as Uint8Array);
    assert.equal(c.view(ninth, 0, 4), c.view(ninth, 0, 4), 'kept once a place is free');
  });
});

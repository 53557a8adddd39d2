// Minimal Reflect metadata polyfill for @peculiar/x509 (its DI container, tsyringe, refuses to load
// without one). We do not depend on `reflect-metadata`: these four functions are all that tsyringe
// and TypeScript's emitted `__metadata` helper call. It only installs itself when nothing else has.
// Import this module before any import of '@peculiar/x509'.

type MetaMap = Map<unknown, unknown>;
const store = new WeakMap<object, Map<PropertyKey | undefined, MetaMap>>();

function metaOf(target: object, key: PropertyKey | undefined, create: boolean): MetaMap | undefined {
  let byKey = store.get(target);
  if (byKey === undefined) {
    if (!create) return undefined;
    byKey = new Map();
    store.set(target, byKey);
  }
  let m = byKey.get(key);
  if (m === undefined) {
    if (!create) return undefined;
    m = new Map();
    byKey.set(key, m);
  }
  return m;
}

function define(k: unknown, v: unknown, target: object, key?: PropertyKey): void {
  metaOf(target, key, true)?.set(k, v);
}

const R = Reflect as unknown as Record<string, unknown>;
if (typeof R.getMetadata !== 'function') {
  R.defineMetadata = define;
  R.getOwnMetadata = (k: unknown, target: object, key?: PropertyKey): unknown =>
    metaOf(target, key, false)?.get(k);
  R.getMetadata = (k: unknown, target: object, key?: PropertyKey): unknown => {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t) as object | null) {
      const m = metaOf(t, key, false);
      if (m?.has(k)) return m.get(k);
    }
    return undefined;
  };
  R.metadata =
    (k: unknown, v: unknown) =>
    (target: object, key?: PropertyKey): void =>
      define(k, v, target, key);
}

export {};

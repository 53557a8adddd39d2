// Network changes arrive as a computed delta, never as "something changed" (STYLE.md rule 7).
// The helper reads the interface list (netlink / `ip -j addr`), and this pure function says exactly
// what differs from the previous list, so path management reacts to facts: a link went down, an
// address was removed (roaming), a new usable interface appeared.

export type InterfaceKind = 'wifi' | 'cellular' | 'ethernet' | 'other';

export interface InterfaceInfo {
  name: string;
  kind: InterfaceKind;
  /** Operational state: carrier present and admin up. */
  up: boolean;
  /** IPv4 addresses without prefix length, sorted. */
  addresses: string[];
  /** Cellular links are metered by default; the config can override. */
  metered: boolean;
}

export type InterfaceChange =
  | { type: 'added'; iface: InterfaceInfo }
  | { type: 'removed'; name: string }
  | { type: 'link'; name: string; up: boolean }
  | { type: 'address'; name: string; added: string[]; removed: string[] };

/** Computes the changes that turn `before` into `after`, in a stable order (by name). */
export function diffInterfaces(
  before: readonly InterfaceInfo[],
  after: readonly InterfaceInfo[],
): InterfaceChange[] {
  const out: InterfaceChange[] = [];
  const old = new Map(before.map((i) => [i.name, i]));
  const now = new Map(after.map((i) => [i.name, i]));
  const names = [...new Set([...old.keys(), ...now.keys()])].sort();
  for (const name of names) {
    const a = old.get(name);
    const b = now.get(name);
    if (!a && b) out.push({ type: 'added', iface: b });
    else if (a && !b) out.push({ type: 'removed', name });
    else if (a && b) {
      if (a.up !== b.up) out.push({ type: 'link', name, up: b.up });
      const added = b.addresses.filter((x) => !a.addresses.includes(x));
      const removed = a.addresses.filter((x) => !b.addresses.includes(x));
      if (added.length || removed.length) out.push({ type: 'address', name, added, removed });
    }
  }
  return out;
}

/**
 * Guesses an interface's kind from its name and sysfs facts. Names follow systemd's predictable
 * naming (wl*, ww*, en*) and the older wlan0/wwan0/eth0; the lab uses wifi0/lte0.
 */
export function kindOf(
  name: string,
  facts: { wireless?: boolean; cellularDriver?: boolean } = {},
): InterfaceKind {
  if (facts.wireless || /^(wl|wifi)/.test(name)) return 'wifi';
  if (facts.cellularDriver || /^(ww|lte|rmnet|usb|cdc)/.test(name)) return 'cellular';
  if (/^(en|eth|em)/.test(name)) return 'ethernet';
  return 'other';
}

/** True for interfaces a tunnel path may use: up, with an IPv4 address, and not ours or loopback. */
export function usableForPath(i: InterfaceInfo, tunName: string): boolean {
  return i.up && i.addresses.length > 0 && i.name !== tunName && i.name !== 'lo';
}

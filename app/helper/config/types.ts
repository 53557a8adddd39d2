// The helper's configuration after validation and normalisation (camelCase, defaults filled in,
// paths absolute, addresses parsed). The TOML file format is in schema.ts.

import type { Cidr } from '../../core/cidr.ts';
import type { NodeId } from '../../core/types.ts';

/** seed §8.8.2-8.8.3: aggregate = all paths at once; failover = one path, the rest standby. */
export type MultipathMode = 'aggregate' | 'failover' | 'disable';
export const MULTIPATH_MODES: readonly MultipathMode[] = ['aggregate', 'failover', 'disable'];

/** seed §8.4.3 scheduling strategies. */
export type SchedulerKind = 'round-robin' | 'weighted' | 'latency' | 'redundant';
export const SCHEDULER_KINDS: readonly SchedulerKind[] = ['round-robin', 'weighted', 'latency', 'redundant'];

export interface HostPort {
  /** IP literal (IPv6 without brackets) or DNS name. */
  host: string;
  port: number;
}

export interface PeerConfig {
  nodeId: NodeId;
  /** Where to dial the peer; absent for a peer that only connects in (gateway side). */
  endpoint?: HostPort;
  /** Prefixes routed to this peer, and the only source addresses accepted from it. */
  allowedIps: Cidr[];
}

export interface Config {
  /** Absolute path of the file the config came from (or the name given to parseConfig). */
  source: string;
  node: {
    /** Absolute paths when set; either both key and cert, or neither (then identityDir is used). */
    keyFile?: string;
    certFile?: string;
    /** Absolute; where the helper keeps (or generates) its key and certificate. */
    identityDir: string;
    /** UDP address to accept connections on; absent = client only (ephemeral ports per path). */
    listen?: HostPort;
  };
  tunnel: {
    name: string;
    /** Interface address with its prefix, host bits kept (e.g. 198.19.0.2/24). */
    address?: Cidr;
    mtu: number;
    /** TSO/GRO offload on the TUN device (Linux; falls back to plain reads when unsupported). */
    offload: boolean;
    /** Compress inner IPv4/TCP headers toward a peer that supports it (header-compress.ts). */
    headerCompression: boolean;
  };
  peers: PeerConfig[];
  multipath: {
    /** False iff mode is 'disable'. */
    enabled: boolean;
    mode: MultipathMode;
    /** Interfaces to use, in preference order; empty = every usable interface. */
    interfaces: string[];
    /** Scheduler weight per interface name (seed §8.4.3.2); unlisted interfaces weigh 1. */
    weights: Record<string, number>;
    policies: {
      /** Interactive traffic avoids paths whose RTT exceeds this, while any path is below it. */
      interactiveMaxRttMs: number;
      /** Bulk traffic uses only paths estimated at or above this rate. */
      bulkMinBandwidthMbps: number;
      /** Copies of each interactive packet under the redundant scheduler (redundant.ts). */
      redundantCopies: number;
    };
    scheduler: SchedulerKind;
    /** True when the file named the scheduler; false when it was derived from the mode. */
    schedulerExplicit: boolean;
  };
  /** Fail-closed firewall (SECURITY.md rule 3): only the tunnel and the helper's UDP to peers. */
  killswitch: {
    enabled: boolean;
    /** Also allow private-range LAN traffic outside the tunnel (printers, NAS). */
    allowLan: boolean;
  };
  /** Resolvers reached through the tunnel while connected; empty = leave DNS alone. */
  dns: {
    servers: string[];
    search: string[];
  };
  control: {
    /** Absolute path of the helper's Unix control socket. */
    socket: string;
    /** Prometheus metrics on this loopback address (`GET /metrics`); absent = off. */
    metrics?: HostPort;
    /** Group allowed to use the socket (besides root); absent = root only. */
    group?: string;
  };
}

export interface ConfigIssue {
  /** Key path, e.g. `multipath.weights.eth0`, `peers[1].allowed_ips[0]`; '' for the whole file. */
  key: string;
  message: string;
}

// The TOML file format, structurally (zod, strict: unknown keys are errors). Semantic checks
// (addresses, interface names, cross-references) and defaults are in parse.ts.
//
// Example (every table optional; the seed §8.8.3 [multipath] block alone is a valid file):
//
//   [node]
//   key_file = "node.key"          # relative paths resolve against this file's directory
//   cert_file = "node.crt"         # or: identity_dir = "/var/lib/quicether"
//   listen = "0.0.0.0:4433"        # omit on a laptop that only dials out
//
//   [tunnel]
//   name = "quicether0"
//   address = "198.19.0.2/24"
//   mtu = 1420
//   offload = true                 # TSO/GRO on the TUN (Linux); false = one packet per read/write
//   header_compression = true      # inner IPv4/TCP headers cross as 26 bytes, not 52 (both ends)
//
//   [[peers]]
//   node_id = "…"
//   endpoint = "gw.example.net:4433"   # omit for a peer that only connects in
//   allowed_ips = ["198.19.0.1/32", "10.20.0.0/16"]
//
//   [multipath]
//   enabled = true
//   mode = "aggregate"             # or "failover" or "disable"
//   interfaces = ["eth0", "eth1", "wwan0"]
//   scheduler = "weighted"         # round-robin | weighted | latency | redundant (default per mode)
//   [multipath.weights]
//   eth0 = 1.0
//   [multipath.policies]
//   interactive_max_rtt_ms = 50
//   bulk_min_bandwidth_mbps = 5
//   redundant_copies = 3           # copies of interactive packets, scheduler "redundant" (2-4)
//
//   [control]
//   socket = "/run/quicether/helper.sock"
//   group = "quicether"

import { z } from 'zod';

const RawNode = z.strictObject({
  key_file: z.string().optional(),
  cert_file: z.string().optional(),
  identity_dir: z.string().optional(),
  listen: z.string().optional(),
});

const RawTunnel = z.strictObject({
  name: z.string().optional(),
  address: z.string().optional(),
  mtu: z.number().int().optional(),
  offload: z.boolean().optional(),
  header_compression: z.boolean().optional(),
});

const RawPeer = z.strictObject({
  node_id: z.string(),
  endpoint: z.string().optional(),
  allowed_ips: z.array(z.string()).optional(),
});

const RawMultipath = z.strictObject({
  enabled: z.boolean().optional(),
  mode: z.enum(['aggregate', 'failover', 'disable']).optional(),
  interfaces: z.array(z.string()).optional(),
  weights: z.record(z.string(), z.number()).optional(),
  policies: z
    .strictObject({
      interactive_max_rtt_ms: z.number().optional(),
      bulk_min_bandwidth_mbps: z.number().optional(),
      redundant_copies: z.number().optional(),
    })
    .optional(),
  scheduler: z.enum(['round-robin', 'weighted', 'latency', 'redundant']).optional(),
});

const RawControl = z.strictObject({
  socket: z.string().optional(),
  group: z.string().optional(),
  /** Prometheus text endpoint, "127.0.0.1:9469"; absent = off. Loopback only. */
  metrics: z.string().optional(),
});

const RawKillswitch = z.strictObject({
  enabled: z.boolean().optional(),
  allow_lan: z.boolean().optional(),
});

const RawDns = z.strictObject({
  servers: z.array(z.string()).optional(),
  search: z.array(z.string()).optional(),
});

export const RawConfigSchema = z.strictObject({
  killswitch: RawKillswitch.optional(),
  dns: RawDns.optional(),
  node: RawNode.optional(),
  tunnel: RawTunnel.optional(),
  peers: z.array(RawPeer).optional(),
  multipath: RawMultipath.optional(),
  control: RawControl.optional(),
});

export type RawConfig = z.infer<typeof RawConfigSchema>;

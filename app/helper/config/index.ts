// The helper's TOML configuration: load, parse, validate, apply command-line overrides.

export { ConfigError, formatIssue } from './errors.ts';
export { loadConfig, MAX_CONFIG_BYTES } from './load.ts';
export { applyCliOverrides, CLI_SOURCE, type CliOverrides, splitInterfaceList } from './overrides.ts';
export {
  DEFAULT_CONTROL_SOCKET,
  DEFAULT_IDENTITY_DIR,
  DEFAULT_MTU,
  DEFAULT_TUNNEL_NAME,
  defaultScheduler,
  type ParseOptions,
  parseConfig,
} from './parse.ts';
export type { Config, ConfigIssue, HostPort, MultipathMode, PeerConfig, SchedulerKind } from './types.ts';
export { MULTIPATH_MODES, SCHEDULER_KINDS } from './types.ts';

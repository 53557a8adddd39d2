// Command-line overrides (seed §8.8.1-8.8.2: `--interfaces wlan0,wwan0 --multipath aggregate`)
// applied on top of the file. Returns a new Config; the input is not modified.

import { ConfigError } from './errors.ts';
import { defaultScheduler } from './parse.ts';
import { type Config, type ConfigIssue, MULTIPATH_MODES, type MultipathMode } from './types.ts';
import { checkInterfaceName } from './validators.ts';

export interface CliOverrides {
  /** "eth0,wlan0" as typed, or an already split list. */
  interfaces?: string | readonly string[];
  /** "disable" | "aggregate" | "failover". */
  multipath?: string;
}

/** Name used as the "file" in errors about overrides. */
export const CLI_SOURCE = 'command line';

/** Splits "eth0, wlan0,," into ["eth0", "wlan0"]. */
export function splitInterfaceList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Applies overrides; throws ConfigError (file "command line", keys "--interfaces"/"--multipath"). */
export function applyCliOverrides(config: Config, o: CliOverrides): Config {
  const issues: ConfigIssue[] = [];
  const multipath = { ...config.multipath, weights: { ...config.multipath.weights } };

  if (o.interfaces !== undefined) {
    const list = typeof o.interfaces === 'string' ? splitInterfaceList(o.interfaces) : [...o.interfaces];
    if (list.length === 0) issues.push({ key: '--interfaces', message: 'needs at least one interface name' });
    const seen = new Set<string>();
    for (const name of list) {
      const problem = checkInterfaceName(name);
      if (problem) issues.push({ key: '--interfaces', message: problem });
      else if (seen.has(name)) issues.push({ key: '--interfaces', message: `"${name}" is listed twice` });
      seen.add(name);
    }
    multipath.interfaces = list;
    // Weights for interfaces no longer in use are dropped so consumers can trust the two agree.
    for (const name of Object.keys(multipath.weights)) if (!seen.has(name)) delete multipath.weights[name];
  }

  if (o.multipath !== undefined) {
    if (!(MULTIPATH_MODES as readonly string[]).includes(o.multipath)) {
      issues.push({
        key: '--multipath',
        message: `must be one of ${MULTIPATH_MODES.join(', ')}; got "${o.multipath}"`,
      });
    } else {
      const mode = o.multipath as MultipathMode;
      multipath.mode = mode;
      multipath.enabled = mode !== 'disable';
      if (!multipath.schedulerExplicit) multipath.scheduler = defaultScheduler(mode);
    }
  }

  if (issues.length > 0) throw new ConfigError(CLI_SOURCE, issues);
  return { ...config, multipath };
}

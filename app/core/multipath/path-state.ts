// The state of one path of a session (seed §8.4.1, §8.6.1, §8.6.3; STYLE rule 6).
//
//                 addPath / linkUp
//                       │
//                       ▼          K probe losses (backoff doubles, 1 s → 30 s)
//   ┌────────────► PROBING ───────────────────────────────────────┐
//   │                   │ A probe answers in a row                │
//   │                   ▼                                         ▼
//   │  quality good ┌────────┐  quality bad N times      ┌────────────┐
//   │  N times, or  │ ACTIVE │ ─────────────────────────►│  STANDBY   │
//   │  no Active ──►│        │◄───────────────────────── │ (degraded, │
//   │  path left    └────────┘                           │  probed)   │
//   │                   │ K probe losses / link down     └────────────┘
//   │                   ▼                                      │ K probe losses / link down
//   │              ┌────────┐◄─────────────────────────────────┘
//   └──────────────│ FAILED │  (link down from any state lands here too)
//     retryAt      └────────┘
//     reached, or link up
//
// Active paths carry traffic. Standby paths are healthy but degraded relative to their own
// baseline (RTT inflated, or lossy); they are probed every second and come back with hysteresis.
// Which Active path carries what is the scheduler's business (mode, strategy), not this machine's.

import type { Millis, PathId } from '../types.ts';
import type { PathTuning } from './tuning.ts';

export type FailReason = 'probe-timeout' | 'link-down';

export type PathState =
  | { readonly kind: 'probing'; readonly since: Millis; readonly acks: number }
  | { readonly kind: 'active'; readonly since: Millis }
  | { readonly kind: 'standby'; readonly since: Millis }
  | {
      readonly kind: 'failed';
      readonly since: Millis;
      readonly reason: FailReason;
      /** When the path is re-probed; null while its link is down (re-probed on link up). */
      readonly retryAt: Millis | null;
      /** The delay that produced retryAt (0 for link-down). */
      readonly backoffMs: number;
    };

export type PathStateKind = PathState['kind'];

export type Quality = 'good' | 'bad' | 'neutral';

/**
 * Is a path degraded? Judged against the path's OWN baseline (windowed min RTT), not against the
 * other paths: a stable 600 ms satellite link is slow, not degraded, and the design wants it for
 * bulk traffic (§8.9.1 #4); keeping interactive packets off it is the latency-aware scheduler's
 * job. A path whose RTT balloons under load (bufferbloat) or that starts losing packets is
 * degraded (§8.6.3). Between the demote and promote thresholds the answer is 'neutral', which
 * breaks both streaks: that band is the hysteresis.
 */
export function judgeQuality(srttMs: number, baselineMs: number, lossRatio: number, t: PathTuning): Quality {
  if (!Number.isFinite(srttMs) || !Number.isFinite(baselineMs)) return 'neutral';
  const rttBad = srttMs > baselineMs * t.demoteRttRatio && srttMs > baselineMs + t.demoteRttMarginMs;
  if (rttBad || lossRatio > t.demoteLossRatio) return 'bad';
  const rttGood = srttMs <= baselineMs * t.promoteRttRatio || srttMs <= baselineMs + t.promoteRttMarginMs;
  return rttGood && lossRatio <= t.promoteLossRatio ? 'good' : 'neutral';
}

/** Events the path manager emits; drained with `pollEvent()`. */
export type PathEvent =
  | {
      readonly type: 'state-changed';
      readonly pathId: PathId;
      readonly from: PathStateKind;
      readonly state: PathState;
      readonly at: Millis;
    }
  | {
      /** Send a probe (PING datagram carrying `seq`) on the path now, then call handleProbeSent. */
      readonly type: 'send-probe';
      readonly pathId: PathId;
      readonly seq: number;
      readonly at: Millis;
    };

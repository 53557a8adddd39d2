// What the control server needs from the helper. The real helper (app/helper/main.ts) implements
// it over the data plane; fake-helper.ts implements it in memory for tests and the dashboard.
//
// Contract:
// - Methods that change state return once the *target* is recorded, not once it is reached
//   (connect() typically returns state 'connecting'); progress is visible through status()
//   and watch samples.
// - Failures throw ControlError with a stable code ('not_found', 'invalid_state', ...); any other
//   exception is reported to the client as 'internal' without its message.
// - sample() is called by the server at each subscriber's interval, on the event loop: it must
//   be cheap (read counters, no I/O) and must not throw.
import type {
  InterfaceInfo,
  Mode,
  PeerInfo,
  SchedulerName,
  StatsSample,
  Status,
} from '../../protocol/schema.ts';

export type { InterfaceInfo, Mode, PeerInfo, SchedulerName, StatsSample, Status };

export interface StatsSource {
  /**
   * Current statistics. Rates are over a recent window the helper maintains itself, NOT "since
   * the previous call": several subscribers (watches at different intervals, a metrics scrape)
   * call this independently.
   */
  sample(): StatsSample;
}

export interface HelperApi extends StatsSource {
  status(): Promise<Status>;
  /** Sets the target state to connected. */
  connect(): Promise<Status>;
  /** Sets the target state to disconnected. */
  disconnect(): Promise<Status>;
  listInterfaces(): Promise<InterfaceInfo[]>;
  /** Allows or forbids the tunnel on one interface. Throws ControlError('not_found') for unknown names. */
  setInterfaceEnabled(name: string, enabled: boolean): Promise<InterfaceInfo>;
  setMode(mode: Mode): Promise<Status>;
  setScheduler(name: SchedulerName): Promise<Status>;
  listPeers(): Promise<PeerInfo[]>;
}

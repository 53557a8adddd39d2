// Types and helpers derived from ipc-schema.ts for both sides of the hop.
import type { Result, Unsubscribe } from '../../app/renderer/bridge.ts';
import type { EventEntry, InvokeEntry } from './ipc-schema.ts';

type Entry = InvokeEntry<readonly unknown[], unknown> | EventEntry<unknown>;

type InvokeKeys<S> = { [K in keyof S]: S[K] extends InvokeEntry<infer _A, infer _R> ? K : never }[keyof S];

/** The renderer-facing API: invoke entries become methods, event entries become subscriptions. */
export type RendererApi<S extends Record<string, Entry>> = {
  -readonly [K in keyof S]: S[K] extends InvokeEntry<infer A, infer R>
    ? (...args: A) => Promise<Result<R>>
    : S[K] extends EventEntry<infer T>
      ? (cb: (payload: T) => void) => Unsubscribe
      : never;
};

/** What main must implement: one handler per invoke entry, arguments already validated. */
export type MainHandlers<S extends Record<string, Entry>> = {
  [K in InvokeKeys<S>]: S[K] extends InvokeEntry<infer A, infer R>
    ? (...args: A) => Promise<Result<R>>
    : never;
};

export type EventKeys<S> = { [K in keyof S]: S[K] extends EventEntry<infer _T> ? K : never }[keyof S];
export type EventPayload<S, K extends keyof S> = S[K] extends EventEntry<infer T> ? T : never;

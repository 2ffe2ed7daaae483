import { PerformanceObserver, constants } from "node:perf_hooks";

/*
 * Why: Node keeps an HTTP/2 session's open streams in a Map
 * (`session[kState].streams`, a stream set when it opens and deleted when it
 * closes). A full collection moves the map's backing table to the old
 * generation, and from then on V8 allocates every table the map is rehashed
 * into there too. The tables it leaves behind are dead but still hold the
 * streams they had, and young collections take old-to-young pointers as
 * roots: every stream of the session then survives, is promoted and waits
 * for the next full collection, which makes full collections come every
 * second or so under load (docs/performance.md, "HTTP/2 sessions after a
 * full collection"). A new Map starts with a young table, whose successors
 * stay young.
 */

/** Something that says when a full (mark-compact) collection has just ended; returns a function that stops it. */
export type FullCollections = (onFullCollection: () => void) => () => void;

/** What a session looks like to the renewal: Node's own, or a test's. */
type SessionLike = object;

/** Node's `session[kState]`, as far as the renewal relies on it. */
interface SessionState {
  streams: unknown;
}

const isMapLike = (value: unknown): value is ReadonlyMap<unknown, unknown> =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as Map<unknown, unknown>).get === "function" &&
  typeof (value as Map<unknown, unknown>).set === "function" &&
  typeof (value as Map<unknown, unknown>).delete === "function" &&
  typeof (value as Map<unknown, unknown>)[Symbol.iterator] === "function";

function stateOf(session: SessionLike): SessionState | undefined {
  const key = Object.getOwnPropertySymbols(session).find((s) => s.description === "state");
  const state = key === undefined ? undefined : (session as Record<symbol, unknown>)[key];
  return typeof state === "object" && state !== null && "streams" in state ? (state as SessionState) : undefined;
}

/**
 * Replaces the Map in which Node keeps `session`'s open streams by a new one
 * holding the same entries, of the same class (Node's own `SafeMap`). Node
 * reaches the map through the session's state object every time, never
 * through a reference kept elsewhere, so nothing else changes. Returns false,
 * and changes nothing, when the session does not look as Node 24 makes it.
 */
export function renewStreamMap(session: SessionLike): boolean {
  const state = stateOf(session);
  const streams = state?.streams;
  if (!state || !isMapLike(streams)) return false;
  const MapClass = streams.constructor as new (entries: Iterable<readonly [unknown, unknown]>) => Map<unknown, unknown>;
  state.streams = new MapClass(streams);
  return true;
}

/** V8's full collections, as Node's performance observer reports them. */
export const fullCollections: FullCollections = (onFullCollection) => {
  const observer = new PerformanceObserver((list) => {
    const full = list.getEntries().some((e) => (e as { detail?: { kind?: number } | null }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
    if (full) onFullCollection();
  });
  observer.observe({ entryTypes: ["gc"] });
  return () => observer.disconnect();
};

/** Renews the stream maps of the HTTP/2 sessions it tracks, after each full collection. */
export interface StreamMapRenewal {
  /** Renews these sessions from now on: a server's open ones (`openSessionsOf`), kept up to date by their owner. */
  track(sessions: ReadonlySet<SessionLike>): void;
  /** Renews every tracked session's stream map now; returns how many were. */
  renewAll(): number;
  /** Stops watching collections and forgets the sessions (the server is closing). */
  stop(): void;
}

/** Options of {@link createStreamMapRenewal}. */
export interface StreamMapRenewalOptions {
  /** When full collections end (default: V8's, from Node's performance observer). */
  readonly collections?: FullCollections;
  /** Told after each renewal how many sessions it renewed. */
  readonly onRenewed?: (sessions: number) => void;
  /** Told once if a session does not look as Node 24 makes it (a Node upgrade changed its internals): nothing is renewed then. */
  readonly onUnsupported?: () => void;
}

/**
 * Creates the renewal: after each full collection, every open HTTP/2 session
 * of the tracked servers gets a new stream map. Costs one copy of a map of
 * at most `maxConcurrentStreams` entries per session per full collection.
 */
export function createStreamMapRenewal(options: StreamMapRenewalOptions = {}): StreamMapRenewal {
  let tracked: Array<ReadonlySet<SessionLike>> = [];
  let unsupported = false;
  const renewAll = () => {
    let n = 0;
    for (const sessions of tracked) {
      for (const session of sessions) {
        if (renewStreamMap(session)) n++;
        else if (!unsupported) {
          unsupported = true;
          options.onUnsupported?.();
        }
      }
    }
    return n;
  };
  const afterFullCollection = () => {
    if (tracked.every((sessions) => sessions.size === 0)) return;
    options.onRenewed?.(renewAll());
  };
  let stopWatching: (() => void) | undefined;
  return {
    track(sessions) {
      stopWatching ??= (options.collections ?? fullCollections)(afterFullCollection);
      tracked.push(sessions);
    },
    renewAll,
    stop() {
      stopWatching?.();
      stopWatching = undefined;
      tracked = [];
    },
  };
}

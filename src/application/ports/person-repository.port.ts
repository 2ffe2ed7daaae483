import type { EpochNanos, Person, PersonNames, PersonSortKey } from "../../domain/person.ts";

/** Per-call options every store operation takes. */
export interface StoreCallOptions {
  /** Aborted when the caller gives up (deadline, cancelled RPC, shutdown). */
  readonly signal?: AbortSignal | undefined;
}

/** A person about to be stored for the first time. */
export interface NewPerson extends PersonNames {
  readonly id: string;
  readonly createTime: EpochNanos;
}

/** The idempotency key of a create: a client's request id and a fingerprint of what it asked for. */
export interface CreateRequestKey {
  readonly requestId: string;
  readonly fingerprint: string;
  /** Keys recorded before this time are forgotten (the retention window), and may be swept. */
  readonly notBefore: EpochNanos;
}

/**
 * What a create did: stored a new person; replayed an earlier create with the
 * same key (the person as it is now); found the key used for other names; or
 * found the key but its person since deleted.
 */
export type CreateOutcome =
  | { readonly kind: "created"; readonly person: Person }
  | { readonly kind: "replayed"; readonly person: Person }
  | { readonly kind: "key-reused" }
  | { readonly kind: "replayed-gone"; readonly id: string };

/** What a conditional write did. */
export type WriteOutcome<T> =
  | { readonly kind: "done"; readonly value: T }
  | { readonly kind: "not-found" }
  | { readonly kind: "etag-mismatch" };

/**
 * Where people are stored. Every method is atomic. Implementations throw
 * AppError with a STORE.* code when the store cannot answer, and never leak
 * driver errors to callers.
 */
export interface PersonRepository {
  /** The person with this id, or undefined. */
  get(id: string, options: StoreCallOptions): Promise<Person | undefined>;
  /** Up to `limit` people after `after` in (lastName, firstName, id) order. */
  list(query: { limit: number; after: PersonSortKey | undefined }, options: StoreCallOptions): Promise<Person[]>;
  /** Stores a new person, at most once per request key. */
  create(person: NewPerson, key: CreateRequestKey | undefined, options: StoreCallOptions): Promise<CreateOutcome>;
  /** Replaces the names, if the etag (when given) still matches. */
  update(
    id: string,
    names: PersonNames,
    updateTime: EpochNanos,
    expectedEtag: string | undefined,
    options: StoreCallOptions,
  ): Promise<WriteOutcome<Person>>;
  /** Deletes the person, if the etag (when given) still matches. */
  delete(id: string, expectedEtag: string | undefined, options: StoreCallOptions): Promise<WriteOutcome<void>>;
  /** Resolves when the store answers; throws STORE.* otherwise. */
  ping(options: StoreCallOptions): Promise<void>;
  /** Releases connections and files. */
  close(): Promise<void>;
  /** Connection pool figures, for metrics (stores without a pool may omit it). */
  stats?(): { readonly size: number; readonly inUse: number; readonly waiting: number };
}

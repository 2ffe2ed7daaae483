import type { ContextKey, ContextValues } from "@connectrpc/connect";

type Values = ContextValues & Record<symbol, unknown>;

/** The methods every call's values share. */
const methods: ContextValues = {
  get<T>(this: Values, key: ContextKey<T>): T {
    return key.id in this ? (this[key.id] as T) : key.defaultValue;
  },
  set<T>(this: Values, key: ContextKey<T>, value: T): Values {
    this[key.id] = value;
    return this;
  },
  delete(this: Values, key: ContextKey<unknown>): Values {
    delete this[key.id];
    return this;
  },
};

/**
 * Context values that behave as connect-es's `createContextValues()` makes
 * them (a key's value lives under its symbol; absent keys read their
 * default), with the three methods on a shared prototype: connect-es's
 * object literal makes three closures per call, and they live as long as it.
 */
export function createCallValues(): ContextValues {
  return Object.create(methods) as ContextValues;
}

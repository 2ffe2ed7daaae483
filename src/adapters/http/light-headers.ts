import type { IncomingHttpHeaders } from "node:http";

/** Leading and trailing HTTP whitespace goes, as fetch Headers normalizes values. */
function normalize(value: string): string {
  const s = typeof value === "string" ? value : String(value);
  return s.charCodeAt(0) > 32 && s.charCodeAt(s.length - 1) > 32 ? s : s.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
}

/** A name as Headers compares it: lowercase (one pass that allocates nothing for names already so). */
function lower(name: string): string {
  const s = typeof name === "string" ? name : String(name);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return s.toLowerCase();
  }
  return s;
}

/**
 * A fetch `Headers` for the hot path: a short list of names and values kept
 * sorted by name, instead of undici's validated list sorted on every read.
 * Names are case-insensitive, values are normalized and iteration is sorted
 * by name, as with `Headers`; set-cookie is not special-cased (the service
 * never sends one). Over Node's request headers it is a view, copied on the
 * first write.
 */
class LightHeaders {
  /** Lowercase names and their values, alternating (name, value, name, value...), sorted by name. */
  #list: string[] | undefined;
  #view: IncomingHttpHeaders | undefined;
  /** forEach calls in progress: a write meanwhile goes to a copy, so they iterate what was there when they began. */
  #iterating = 0;

  constructor(view: IncomingHttpHeaders | undefined) {
    this.#view = view;
    if (view === undefined) this.#list = [];
  }

  /** The list, copied from the view (pseudo-headers and non-string values left out) the first time it is needed. */
  #own(): string[] {
    if (this.#list !== undefined) return this.#list;
    const view = this.#view as IncomingHttpHeaders;
    this.#view = undefined;
    this.#list = [];
    for (const name in view) {
      if (name.charCodeAt(0) === 58 /* : */) continue;
      const value = view[name];
      if (typeof value === "string") this.#put(name, value);
      else if (Array.isArray(value)) this.#put(name, value.join(", "));
    }
    return this.#list;
  }

  /** The index of `key` (lowercase) in the list, or -1. */
  #find(key: string): number {
    const list = this.#list as string[];
    for (let i = 0; i < list.length; i += 2) if (list[i] === key) return i;
    return -1;
  }

  /** The list, to be written: a copy of it while a forEach iterates it. */
  #writable(): string[] {
    const list = this.#own();
    return this.#iterating === 0 ? list : (this.#list = list.slice());
  }

  /** Sets `key` (lowercase) to `value`, in place or at its sorted position. */
  #put(key: string, value: string): void {
    const list = this.#writable();
    let i = 0;
    while (i < list.length && (list[i] as string) < key) i += 2;
    if (list[i] === key) list[i + 1] = value;
    else if (i === list.length) list.push(key, value);
    else list.splice(i, 0, key, value);
  }

  get(name: string): string | null {
    const key = lower(name);
    if (this.#list !== undefined) {
      const i = this.#find(key);
      return i === -1 ? null : (this.#list[i + 1] as string);
    }
    const view = this.#view as IncomingHttpHeaders;
    if (key.charCodeAt(0) === 58 || !Object.hasOwn(view, key)) return null;
    const value = view[key];
    if (typeof value === "string") return value;
    return Array.isArray(value) ? value.join(", ") : null;
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  set(name: string, value: string): void {
    this.#put(lower(name), normalize(value));
  }

  append(name: string, value: string): void {
    const prior = this.get(name);
    this.#put(lower(name), prior === null ? normalize(value) : `${prior}, ${normalize(value)}`);
  }

  delete(name: string): void {
    this.#own();
    const i = this.#find(lower(name));
    if (i !== -1) this.#writable().splice(i, 2);
  }

  getSetCookie(): string[] {
    const value = this.get("set-cookie");
    return value === null ? [] : [value];
  }

  forEach(callback: (value: string, name: string, parent: Headers) => void, thisArg?: unknown): void {
    const list = this.#own();
    this.#iterating++;
    try {
      for (let i = 0; i < list.length; i += 2) callback.call(thisArg, list[i + 1] as string, list[i] as string, this as unknown as Headers);
    } finally {
      this.#iterating--;
    }
  }

  *entries(): IterableIterator<[string, string]> {
    const list = this.#own().slice();
    for (let i = 0; i < list.length; i += 2) yield [list[i] as string, list[i + 1] as string];
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return "Headers";
  }
}

/** A light `Headers` holding `init` (names as given, lowercased). */
export function createLightHeaders(init?: Readonly<Record<string, string>>): Headers {
  const headers = new LightHeaders(undefined);
  if (init) for (const name in init) headers.set(name, init[name] as string);
  return headers as unknown as Headers;
}

/** A light `Headers` view of Node's request headers, HTTP/2 pseudo-headers left out. */
export function nodeHeaderView(headers: IncomingHttpHeaders): Headers {
  return new LightHeaders(headers) as unknown as Headers;
}

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
  /** Lowercase names, sorted; `#values[i]` goes with `#names[i]`. */
  #names: string[] | undefined;
  #values: string[] | undefined;
  #view: IncomingHttpHeaders | undefined;

  constructor(view: IncomingHttpHeaders | undefined) {
    this.#view = view;
    if (view === undefined) {
      this.#names = [];
      this.#values = [];
    }
  }

  /** Copies the view (pseudo-headers and non-string values left out) the first time the list is needed. */
  #own(): void {
    if (this.#names !== undefined) return;
    const view = this.#view as IncomingHttpHeaders;
    this.#view = undefined;
    this.#names = [];
    this.#values = [];
    for (const name in view) {
      if (name.charCodeAt(0) === 58 /* : */) continue;
      const value = view[name];
      if (typeof value === "string") this.#put(name, value);
      else if (Array.isArray(value)) this.#put(name, value.join(", "));
    }
  }

  /** Sets `key` (lowercase) to `value`, in place or at its sorted position. */
  #put(key: string, value: string): void {
    const names = this.#names as string[];
    const values = this.#values as string[];
    let i = 0;
    while (i < names.length && (names[i] as string) < key) i++;
    if (names[i] === key) {
      values[i] = value;
    } else if (i === names.length) {
      names.push(key);
      values.push(value);
    } else {
      names.splice(i, 0, key);
      values.splice(i, 0, value);
    }
  }

  get(name: string): string | null {
    const key = lower(name);
    const names = this.#names;
    if (names !== undefined) {
      const i = names.indexOf(key);
      return i === -1 ? null : (this.#values as string[])[i] as string;
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
    this.#own();
    this.#put(lower(name), normalize(value));
  }

  append(name: string, value: string): void {
    const prior = (this.#own(), this.get(name));
    this.#put(lower(name), prior === null ? normalize(value) : `${prior}, ${normalize(value)}`);
  }

  delete(name: string): void {
    this.#own();
    const i = (this.#names as string[]).indexOf(lower(name));
    if (i === -1) return;
    (this.#names as string[]).splice(i, 1);
    (this.#values as string[]).splice(i, 1);
  }

  getSetCookie(): string[] {
    const value = this.get("set-cookie");
    return value === null ? [] : [value];
  }

  forEach(callback: (value: string, name: string, parent: Headers) => void, thisArg?: unknown): void {
    this.#own();
    const names = this.#names as string[];
    const values = this.#values as string[];
    for (let i = 0; i < names.length; i++) callback.call(thisArg, values[i] as string, names[i] as string, this as unknown as Headers);
  }

  *entries(): IterableIterator<[string, string]> {
    this.#own();
    const names = this.#names as string[];
    const values = this.#values as string[];
    for (let i = 0; i < names.length; i++) yield [names[i] as string, values[i] as string];
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

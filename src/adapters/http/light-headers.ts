import type { IncomingHttpHeaders } from "node:http";

type Fields = Record<string, string>;

/** Node's header values, HTTP/2 pseudo-headers and non-string values left out. */
function copyNodeHeaders(source: IncomingHttpHeaders): Fields {
  const fields: Fields = Object.create(null);
  for (const name in source) {
    if (name.charCodeAt(0) === 58 /* : */) continue;
    const value = source[name];
    if (typeof value === "string") fields[name] = value;
    else if (Array.isArray(value)) fields[name] = value.join(", ");
  }
  return fields;
}

/** Leading and trailing HTTP whitespace goes, as fetch Headers normalizes values. */
function normalize(value: string): string {
  const s = typeof value === "string" ? value : String(value);
  return s.charCodeAt(0) > 32 && s.charCodeAt(s.length - 1) > 32 ? s : s.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
}

/**
 * A fetch `Headers` for the hot path: a plain record instead of undici's
 * validated, sorted list. Names are case-insensitive, values are normalized
 * and iteration is sorted by name, as with `Headers`; set-cookie is not
 * special-cased (the service never sends one). Over Node's request headers it
 * is a view, copied on the first write.
 */
class LightHeaders {
  #fields: Fields | undefined;
  #view: IncomingHttpHeaders | undefined;

  constructor(fields: Fields | undefined, view: IncomingHttpHeaders | undefined) {
    this.#fields = fields;
    this.#view = view;
  }

  #own(): Fields {
    if (this.#fields === undefined) {
      this.#fields = this.#view === undefined ? Object.create(null) : copyNodeHeaders(this.#view);
      this.#view = undefined;
    }
    return this.#fields as Fields;
  }

  get(name: string): string | null {
    const key = String(name).toLowerCase();
    if (this.#fields !== undefined) return this.#fields[key] ?? null;
    if (this.#view === undefined || key.charCodeAt(0) === 58) return null;
    const value = Object.hasOwn(this.#view, key) ? this.#view[key] : undefined;
    if (typeof value === "string") return value;
    return Array.isArray(value) ? value.join(", ") : null;
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  set(name: string, value: string): void {
    this.#own()[String(name).toLowerCase()] = normalize(value);
  }

  append(name: string, value: string): void {
    const fields = this.#own();
    const key = String(name).toLowerCase();
    const prior = fields[key];
    fields[key] = prior === undefined ? normalize(value) : `${prior}, ${normalize(value)}`;
  }

  delete(name: string): void {
    delete this.#own()[String(name).toLowerCase()];
  }

  getSetCookie(): string[] {
    const value = this.get("set-cookie");
    return value === null ? [] : [value];
  }

  forEach(callback: (value: string, name: string, parent: Headers) => void, thisArg?: unknown): void {
    const fields = this.#own();
    for (const name of Object.keys(fields).sort()) callback.call(thisArg, fields[name] as string, name, this as unknown as Headers);
  }

  *entries(): IterableIterator<[string, string]> {
    const fields = this.#own();
    for (const name of Object.keys(fields).sort()) yield [name, fields[name] as string];
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
  const fields: Fields = Object.create(null);
  if (init) for (const name in init) fields[name.toLowerCase()] = normalize(init[name] as string);
  return new LightHeaders(fields, undefined) as unknown as Headers;
}

/** A light `Headers` view of Node's request headers, HTTP/2 pseudo-headers left out. */
export function nodeHeaderView(headers: IncomingHttpHeaders): Headers {
  return new LightHeaders(undefined, headers) as unknown as Headers;
}

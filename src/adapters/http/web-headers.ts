import type { IncomingHttpHeaders } from "node:http";

/** Node's request header object -> fetch Headers, HTTP/2 pseudo-headers left out (as connect-node does). */
export function webHeaders(headers: IncomingHttpHeaders): Headers {
  const header = new Headers();
  for (const name in headers) {
    if (name.charCodeAt(0) === 58 /* : */) continue;
    const value = headers[name];
    if (typeof value === "string") header.append(name, value);
    else if (Array.isArray(value)) for (const v of value) header.append(name, v);
  }
  return header;
}

import http from "node:http";
import http2 from "node:http2";

/** A request as it goes on the wire, for comparing two servers' answers. */
export interface RawRequest {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
  readonly method?: string;
}

/** Everything a client can observe of an answer but the date: status, headers, body bytes, trailers. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Array<[string, string]>;
  readonly body: string;
  readonly trailers: Array<[string, string]>;
}

const sorted = (h: Record<string, unknown>): Array<[string, string]> =>
  Object.entries(h)
    .filter(([k]) => k !== "date" && k !== ":status")
    .map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : String(v)] as [string, string])
    .sort(([a], [b]) => a.localeCompare(b));

/** Sends one request over HTTP/2 (h2c) on a fresh session. */
export function exchangeHttp2(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(baseUrl);
    session.on("error", reject);
    const empty = req.body.byteLength === 0;
    const stream = session.request({ ":method": req.method ?? "POST", ":path": req.path, ...req.headers }, { endStream: empty });
    let head: http2.IncomingHttpHeaders = {};
    let tail: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h) => (head = h));
    stream.on("trailers", (t) => (tail = t));
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("error", reject);
    stream.on("close", () => {
      session.close();
      resolve({ status: Number(head[":status"]), headers: sorted(head), body: Buffer.concat(chunks).toString("hex"), trailers: sorted(tail) });
    });
    if (!empty) stream.end(req.body);
  });
}

/** Sends one request over HTTP/1.1 on a fresh connection. */
export function exchangeHttp1(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const r = http.request(baseUrl + req.path, { method: req.method ?? "POST", headers: req.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode!, headers: sorted(res.headers), body: Buffer.concat(chunks).toString("hex"), trailers: sorted(res.trailers) }),
      );
      res.on("error", reject);
    });
    r.on("error", reject);
    r.end(req.body);
  });
}

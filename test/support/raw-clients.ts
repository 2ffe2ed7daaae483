import http2 from "node:http2";

/** A gRPC length-prefixed message frame around `bytes`. */
export function grpcFrame(bytes: Uint8Array, flags = 0): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(bytes.byteLength, 1);
  return Buffer.concat([head, bytes]);
}

/** Sends raw bytes as one gRPC request over h2c and returns grpc-status and grpc-message. */
export function rawGrpc(
  baseUrl: string,
  path: string,
  body: Uint8Array,
  headers: Record<string, string> = {},
): Promise<{ status: string | undefined; message: string | undefined; httpStatus: number }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(baseUrl);
    session.on("error", reject);
    const req = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc+proto",
      te: "trailers",
      ...headers,
    });
    let httpStatus = 0;
    let head: http2.IncomingHttpHeaders = {};
    req.on("response", (h) => {
      httpStatus = Number(h[":status"]);
      head = h;
    });
    req.on("trailers", (t) => {
      head = { ...head, ...t };
    });
    req.on("data", () => undefined);
    req.on("end", () => {
      session.close();
      const message = head["grpc-message"] as string | undefined;
      resolve({
        status: head["grpc-status"] as string | undefined,
        message: message === undefined ? undefined : decodeURIComponent(message),
        httpStatus,
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Sends raw bytes as one gRPC-Web request over HTTP/1.1 and parses the trailer frame. */
export async function rawGrpcWeb(
  baseUrl: string,
  path: string,
  body: Uint8Array,
): Promise<{ status: string | undefined; message: string | undefined; httpStatus: number }> {
  const res = await fetch(baseUrl + path, {
    method: "POST",
    headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" },
    body,
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  let offset = 0;
  let trailer = "";
  while (offset + 5 <= bytes.length) {
    const flags = bytes.readUInt8(offset);
    const len = bytes.readUInt32BE(offset + 1);
    const data = bytes.subarray(offset + 5, offset + 5 + len);
    if (flags & 0x80) trailer = data.toString("utf8");
    offset += 5 + len;
  }
  const fields = Object.fromEntries(
    trailer
      .split("\r\n")
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf(":")).trim().toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
  );
  return {
    status: fields["grpc-status"] ?? res.headers.get("grpc-status") ?? undefined,
    message: fields["grpc-message"] === undefined ? undefined : decodeURIComponent(fields["grpc-message"]),
    httpStatus: res.status,
  };
}

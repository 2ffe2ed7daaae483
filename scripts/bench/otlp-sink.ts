/**
 * A stand-in OTLP/HTTP collector for the benchmark: accepts every export
 * (POST /v1/traces), counts the spans' bytes and answers 200, so the traced
 * service pays the whole cost of recording, batching, encoding and sending
 * spans, and nothing waits on a real collector.
 * Usage: node scripts/bench/otlp-sink.ts <port>; prints "exports=N bytes=M" on SIGTERM.
 */
import http from "node:http";

let exports = 0;
let bytes = 0;
http
  .createServer((req, res) => {
    req.on("data", (chunk: Buffer) => (bytes += chunk.byteLength));
    req.on("end", () => {
      exports++;
      res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  })
  .listen(Number(process.argv[2]), "127.0.0.1", () => console.log("ready"));
process.on("SIGTERM", () => {
  console.log(`exports=${exports} bytes=${bytes}`);
  process.exit(0);
});

/**
 * The container's health check (no curl in the image): GET /healthz on the
 * local port; exit 0 when it answers 200 within two seconds, 1 otherwise.
 */
const port = Number(process.env.PORT ?? 8080);
const tls = Boolean(process.env.TLS_CERT_FILE);
// Not ESM imports: building node:http's namespace loads undici (~40 ms) for nothing.
const client = tls ? process.getBuiltinModule("node:https") : process.getBuiltinModule("node:http");
const req = client.get(
  { host: "127.0.0.1", port, path: "/healthz", timeout: 2000, rejectUnauthorized: false },
  (res) => {
    res.resume();
    process.exit(res.statusCode === 200 ? 0 : 1);
  },
);
req.on("timeout", () => req.destroy(new Error("timeout")));
req.on("error", () => process.exit(1));

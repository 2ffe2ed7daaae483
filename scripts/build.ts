/**
 * `npm run build`: the production bundle in `dist/`, what the image and
 * `npm run start:prod` run (`npm start` and the tests run the sources).
 *
 * Why: at start-up Node's ESM loader resolves, reads and looks up the compile
 * cache for every module, ~500 of them, and that, not running them, is most
 * of the time to the first response (measured: ~500 ms from the sources,
 * ~280 ms bundled, idle RSS 107 -> 95 MB). Chunks are split at the dynamic
 * imports, so what loads lazily (SQL Server, OpenTelemetry, the docs, ...)
 * still does. Packages that read their own files or load code at run time
 * (static assets, worker threads, generated requires) stay in node_modules.
 */
import { build } from "esbuild";
import { rmSync } from "node:fs";

const external = [
  "pino", // transports run in worker threads loaded by file path
  "pino-pretty",
  "@fastify/swagger", // reads its package.json through __dirname
  "@fastify/swagger-ui", // serves its static files from its package directory
  "@opentelemetry/*", // loaded only with tracing on; the OTLP exporter's protobufjs requires at run time
  "tedious", // loaded only with STORE=mssql
  "@tediousjs/*",
  "tarn",
  "jose", // loaded only with JWT auth
  "prom-client", // loaded at the first scrape
];

rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: ["src/main.js"],
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node24",
  external,
  // Bundled CommonJS modules require Node's built-ins and the external packages.
  banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
  logLevel: "warning",
});

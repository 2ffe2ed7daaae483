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
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

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
const result = await build({
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
  write: false,
});

/**
 * esbuild escapes non-ASCII characters in strings, regular expressions and
 * names, but copies comments as they are, and a few of the bundled ones
 * (zod's, a licence notice) hold some. One such character makes V8 keep the
 * whole file as a two-byte string, which Node's loader decodes and V8 hashes
 * for the compile cache at every start: ~15 ms of the time to the first
 * response here for two files. Escaped, a comment says the same, and in any
 * other place `\uXXXX` means the same character.
 */
function asciiOnly(text: string): string {
  return text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

for (const file of result.outputFiles) {
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, file.path.endsWith(".js") ? asciiOnly(file.text) : file.contents);
}

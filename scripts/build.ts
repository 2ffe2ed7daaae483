/**
 * `npm run build`: the production bundle in `dist/`, what the image and
 * `npm run start:prod` run (`npm start` and the tests run the sources).
 *
 * - `dist/service.cjs`: the service (src/service.ts) and what it loads, in
 *   one CommonJS file. Why one file: at start-up Node's ESM loader resolves,
 *   reads and looks up the compile cache for every module, ~500 of them
 *   (~500 ms to the first response from the sources, ~280 ms bundled).
 *   Why CommonJS: `dist/main.cjs` runs it as a script, with the V8 code cache
 *   start-up leaves (src/adapters/system/cached-script.ts). What loads
 *   lazily (SQL Server, OpenTelemetry, the docs, ...) is in the file but is
 *   neither compiled nor run until it is used.
 * - `dist/main.cjs`: src/bundle-main.ts, which knows the service bundle's
 *   hash (the code cache's key).
 *
 * Packages that read their own files or load code at run time (static
 * assets, generated requires) and those only some configurations load stay
 * in node_modules.
 */
import { createHash } from "node:crypto";
import { build, type Plugin } from "esbuild";
import { dirname } from "node:path";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";

const external = [
  "pino-pretty", // a development dependency
  "@fastify/swagger", // reads its package.json through __dirname
  "@fastify/swagger-ui", // serves its static files from its package directory
  "@opentelemetry/*", // loaded only with tracing on; the OTLP exporter's protobufjs requires at run time
  "tedious", // loaded only with STORE=mssql
  "@tediousjs/*",
  "tarn",
  "jose", // loaded only with JWT auth
  "prom-client", // loaded at the first scrape
  // Never loaded: no route declares a JSON schema (build-app.ts), so Fastify
  // never asks for its schema compilers (~400 KB less to read at each start).
  "@fastify/ajv-compiler",
  "@fastify/fast-json-stringify-compiler",
];

rmSync("dist", { recursive: true, force: true });
mkdirSync("dist");
/**
 * zod with its English messages only (`z.locales` holds just `en`): the
 * service sets no other locale, and the 40 others are ~300 KB to read at
 * each start. zod configures English itself, from `locales/en.js`.
 */
const englishOnlyZod: Plugin = {
  name: "english-only-zod",
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      resolveDir: dirname(args.path),
    }));
  },
};

const service = await build({
  entryPoints: ["src/service.ts"],
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node24",
  external,
  inject: ["scripts/cjs-import-meta-url.js"],
  plugins: [englishOnlyZod],
  // 3.0 -> 2.0 MB: start-up reads the file and copies it into a V8 string,
  // ~10 ms less to the first response on the benchmark's VM. Names are kept
  // (stack traces, and whatever reads a function's or a class's name).
  minifyWhitespace: true,
  minifySyntax: true,
  define: { "import.meta.url": "importMetaUrl" },
  logLevel: "warning",
  write: false,
});
const serviceText = asciiOnly(service.outputFiles[0]!.text);
writeFileSync("dist/service.cjs", serviceText);

const main = await build({
  entryPoints: ["src/bundle-main.ts"],
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node24",
  inject: ["scripts/cjs-import-meta-url.js"],
  define: { "import.meta.url": "importMetaUrl", SERVICE_BUNDLE_ID: JSON.stringify(createHash("sha256").update(serviceText).digest("hex").slice(0, 16)) },
  logLevel: "warning",
  write: false,
});
writeFileSync("dist/main.cjs", asciiOnly(main.outputFiles[0]!.text));

/**
 * esbuild escapes non-ASCII characters in strings, regular expressions and
 * names, but copies comments as they are, and a few of the bundled ones
 * (zod's, a licence notice) hold some. One such character makes V8 keep the
 * whole file as a two-byte string (~15 ms of the time to the first response
 * here, when it was two files), and dist/main.cjs reads service.cjs as
 * Latin-1, which is right only for ASCII. Escaped, a comment says the same,
 * and in any other place `\uXXXX` means the same character.
 */
function asciiOnly(text: string): string {
  return text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

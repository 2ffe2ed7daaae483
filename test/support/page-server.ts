import http from "node:http";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const require = createRequire(import.meta.url);

/** An import map for the browser: every export of the packages, served from /nm/. */
function importMap(packages: string[]): Record<string, string> {
  const imports: Record<string, string> = {};
  for (const pkg of packages) {
    const exportsMap = (require(`${root}node_modules/${pkg}/package.json`) as { exports: Record<string, unknown> }).exports;
    for (const [key, value] of Object.entries(exportsMap)) {
      const target = (value as { import?: { default?: string } | string }).import;
      const file = typeof target === "string" ? target : (target?.default ?? (value as string));
      if (typeof file === "string") imports[pkg + key.slice(1)] = `/nm/${pkg}/${file.slice(2)}`;
    }
  }
  return imports;
}

/**
 * A static server on its own origin for browser tests: `/` is `html` (with an
 * import map for connect-es and protobuf-es), `/nm/` and `/gen/` serve the
 * packages and the generated code, unbundled.
 */
export async function startPageServer(script: string): Promise<{ origin: string; close: () => Promise<void> }> {
  const map = importMap(["@bufbuild/protobuf", "@connectrpc/connect", "@connectrpc/connect-web"]);
  const html = `<!doctype html><html><head><meta charset="utf-8"><script type="importmap">${JSON.stringify({ imports: map })}</script></head>
<body><script type="module">${script}</script></body></html>`;
  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const file = path.startsWith("/nm/") ? `node_modules/${path.slice(4)}` : path.startsWith("/gen/") ? path.slice(1) : undefined;
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html" }).end(html);
    } else if (file && !file.includes("..")) {
      const body = await readFile(root + file).catch(() => undefined);
      if (body) res.writeHead(200, { "content-type": "text/javascript" }).end(body);
      else res.writeHead(404).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

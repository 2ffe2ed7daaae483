import type { Compression } from "@connectrpc/connect/protocol";

type ConnectNode = typeof import("@connectrpc/connect-node");

let loading: Promise<ConnectNode> | undefined;

/**
 * @connectrpc/connect-node, loaded on first use: the fast lane serves most
 * calls without it, and loading it (with its client transports) costs
 * ~35 ms of start-up.
 */
export function loadConnectNode(): Promise<ConnectNode> {
  return (loading ??= import("@connectrpc/connect-node"));
}

/** connect-node's gzip or brotli compression, loaded with it on the first message to compress or decompress. */
export function lazyCompression(name: "gzip" | "br"): Compression {
  const algorithm = () => loadConnectNode().then((m) => (name === "gzip" ? m.compressionGzip : m.compressionBrotli));
  return {
    name,
    compress: async (bytes) => (await algorithm()).compress(bytes),
    decompress: async (bytes, readMaxBytes) => (await algorithm()).decompress(bytes, readMaxBytes),
  };
}

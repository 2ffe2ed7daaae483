import net from "node:net";
import { once } from "node:events";
import { attentionAck, batchDone, errorToken, loginResponse, preloginResponse, resultSetTokens, rpcEndTokens, type ResultSet } from "./tds-tokens.ts";
import { createMessageReader, PacketType, toPackets } from "./tds-wire.ts";
import { parseRpc, type RpcCall } from "./tds-rpc.ts";

/** What the responder answers to an RPC. */
export type Reply =
  | { readonly results: readonly ResultSet[] }
  | { readonly error: { readonly number: number; readonly message: string } }
  /** Close the connection instead of answering. */
  | { readonly drop: true }
  /** Never answer (until the client sends an attention). */
  | { readonly hang: true };

/** Decides the reply to each RPC; `connection` counts logins from 1. */
export type RpcHandler = (call: RpcCall, connection: number) => Reply | Promise<Reply>;

/** A minimal TDS 7.4 server for tests: no TLS, any login, sp_executesql answered by a handler. */
export interface TdsResponder {
  readonly port: number;
  /** Every RPC received, in order. */
  readonly calls: RpcCall[];
  /** How many attentions (cancels) arrived. */
  attentions: number;
  /** How many connections logged in. */
  logins: number;
  handler: RpcHandler;
  /** Stops accepting and drops every connection (a server outage). */
  stop(): Promise<void>;
  /** Listens again on the same port after `stop`. */
  restart(): Promise<void>;
}

/** Starts the responder on 127.0.0.1 (an ephemeral port unless `port` is given). */
export async function startTdsResponder(handler: RpcHandler, port = 0): Promise<TdsResponder> {
  const sockets = new Set<net.Socket>();
  const responder: TdsResponder = {
    port: 0,
    calls: [],
    attentions: 0,
    logins: 0,
    handler,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
    async restart() {
      server = createServer();
      server.listen(responder.port, "127.0.0.1");
      await once(server, "listening");
    },
  };

  function serve(socket: net.Socket) {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let connection = 0;
    let current: { cancelled: boolean } | undefined;
    const send = (tokens: Buffer) => socket.writable && socket.write(toPackets(PacketType.TabularResult, tokens));
    socket.on(
      "data",
      createMessageReader((type, payload) => {
        switch (type) {
          case PacketType.PreLogin:
            return send(preloginResponse());
          case PacketType.Login7:
            connection = ++responder.logins;
            return send(loginResponse());
          case PacketType.SqlBatch:
            return send(batchDone());
          case PacketType.Attention:
            // Every client message gets exactly one response message: first the
            // cut-short answer to the cancelled RPC, then the attention's own ack.
            responder.attentions++;
            if (current) {
              current.cancelled = true;
              send(batchDone());
            }
            current = undefined;
            return send(attentionAck());
          case PacketType.Rpc: {
            const call = parseRpc(payload);
            responder.calls.push(call);
            const state = { cancelled: false };
            current = state;
            void Promise.resolve(responder.handler(call, connection)).then((reply) => {
              if (state.cancelled || "hang" in reply) return;
              if (current === state) current = undefined;
              if ("drop" in reply) return socket.destroy();
              if ("error" in reply) return send(Buffer.concat([errorToken(reply.error.number, reply.error.message), rpcEndTokens(true)]));
              send(Buffer.concat([...reply.results.map(resultSetTokens), rpcEndTokens(false)]));
            });
            return;
          }
        }
      }),
    );
  }

  const createServer = () => net.createServer(serve);
  let server = createServer();
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  (responder as { port: number }).port = (server.address() as net.AddressInfo).port;
  return responder;
}

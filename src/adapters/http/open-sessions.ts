import type http2 from "node:http2";

/** The HTTP/2 sessions of `server` that are open: each is added when it starts and removed when it closes. */
export function openSessionsOf(server: http2.Http2Server | http2.Http2SecureServer): ReadonlySet<http2.ServerHttp2Session> {
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session: http2.ServerHttp2Session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  return sessions;
}

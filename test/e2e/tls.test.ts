import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import tls from "node:tls";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { personClient } from "../support/clients.ts";
import { selfSignedCert } from "../support/self-signed.ts";

let server: TestServer;
let ca: Buffer;
before(async () => {
  const cert = selfSignedCert();
  ca = cert.ca;
  server = await startTestServer({ TLS_CERT_FILE: cert.certFile, TLS_KEY_FILE: cert.keyFile });
});
after(() => server.close());

const httpsUrl = () => `https://localhost:${server.port}`;

function alpnOf(protocols: string[]): Promise<string | false> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port: server.port, ca, servername: "localhost", ALPNProtocols: protocols }, () => {
      resolve(socket.alpnProtocol ?? false);
      socket.end();
    });
    socket.on("error", reject);
  });
}

test("with TLS, ALPN offers h2 and http/1.1", async () => {
  assert.equal(await alpnOf(["h2", "http/1.1"]), "h2");
  assert.equal(await alpnOf(["http/1.1"]), "http/1.1");
});

test("with TLS, gRPC (h2), gRPC-Web and Connect (HTTP/1.1) are all served on the one port", async () => {
  const nodeOptions = { ca };
  const grpc = personClient(createGrpcTransport({ baseUrl: httpsUrl(), nodeOptions }));
  const web = personClient(createGrpcWebTransport({ baseUrl: httpsUrl(), httpVersion: "1.1", nodeOptions }));
  const connect = personClient(createConnectTransport({ baseUrl: httpsUrl(), httpVersion: "1.1", nodeOptions }));
  const { person } = await grpc.createPerson({ firstName: "Tee", lastName: "Ls" });
  assert.equal((await web.getPerson({ id: person!.id })).person!.lastName, "Ls");
  assert.equal((await connect.getPerson({ id: person!.id })).person!.firstName, "Tee");
});

/**
 * Baseline 2: stock Fastify + @connectrpc/connect-fastify with no project
 * code: GetPerson from a Map. One Fastify on h2c (gRPC, Connect h2c) and one
 * on HTTP/1.1 (Connect, gRPC-Web), since stock Fastify cannot sniff.
 * Usage: node scripts/bench/stock-server.ts <h2c-port> <http1-port>
 */
import Fastify from "fastify";
import { fastifyConnectPlugin } from "@connectrpc/connect-fastify";
import { PersonService } from "../../gen/person/v1/person_pb.js";
import { people } from "./fixtures.ts";

const db = people();
const [h2Port, h1Port] = process.argv.slice(2).map(Number);
const routes = (router: Parameters<NonNullable<Parameters<typeof fastifyConnectPlugin>[1]["routes"]>>[0]) =>
  router.service(PersonService, {
    getPerson: (req) => ({ person: db.get(req.id) }),
    listPeople: () => ({ people: [] }),
    createPerson: () => ({}),
    updatePerson: () => ({}),
    deletePerson: () => ({}),
  });
const h2 = Fastify({ http2: true });
await h2.register(fastifyConnectPlugin, { routes });
await h2.listen({ host: "127.0.0.1", port: h2Port! });
const h1 = Fastify();
await h1.register(fastifyConnectPlugin, { routes });
await h1.listen({ host: "127.0.0.1", port: h1Port! });
console.log("ready");

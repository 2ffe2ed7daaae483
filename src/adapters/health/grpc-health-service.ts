import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../../gen/health/v1/health_pb.js";
import type { HealthMonitor, ServingStatus } from "./health-monitor.ts";

const toProto = (s: ServingStatus) => (s === "SERVING" ? Status.SERVING : Status.NOT_SERVING);

/**
 * grpc.health.v1.Health: the overall status ("") and each served service's
 * follow the monitor; Watch streams every change until the client leaves.
 */
export function createGrpcHealthService(monitor: HealthMonitor, services: readonly string[]): ServiceImpl<typeof Health> {
  const known = new Set(["", Health.typeName, ...services]);
  return {
    async check({ service }) {
      if (!known.has(service)) throw new ConnectError(`unknown service ${service}`, Code.NotFound);
      return { status: toProto(await monitor.check()) };
    },
    async list() {
      const status = toProto(await monitor.check());
      return { statuses: Object.fromEntries([...known].map((s) => [s, { status }])) };
    },
    async *watch({ service }, ctx) {
      if (!known.has(service)) {
        yield { status: Status.SERVICE_UNKNOWN };
        await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
        return;
      }
      const queue: ServingStatus[] = [monitor.current()];
      let wake: (() => void) | undefined;
      const unsubscribe = monitor.subscribe((s) => {
        queue.push(s);
        wake?.();
      });
      const aborted = new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
      try {
        while (!ctx.signal.aborted) {
          while (queue.length > 0) yield { status: toProto(queue.shift()!) };
          await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
        }
      } finally {
        unsubscribe();
      }
    },
  };
}

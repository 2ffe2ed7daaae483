/** Per-client token buckets: `ratePerSecond` sustained, `burst` at once. */
export interface RateLimiter {
  /** Takes one token for `client`; undefined when allowed, else the seconds to wait. */
  take(client: string): number | undefined;
}

/**
 * Token buckets in memory, one per client key (address or authenticated
 * subject), with idle buckets swept so that many clients cost bounded memory.
 */
export function createRateLimiter(ratePerSecond: number, burst: number, maxClients = 100_000): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(client) {
      const now = performance.now();
      let bucket = buckets.get(client);
      if (!bucket) {
        if (buckets.size >= maxClients) {
          // Drop the oldest-inserted buckets: they are refilled to full anyway.
          for (const key of [...buckets.keys()].slice(0, Math.ceil(maxClients / 10))) buckets.delete(key);
        }
        bucket = { tokens: burst, at: now };
        buckets.set(client, bucket);
      }
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * ratePerSecond);
      bucket.at = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return undefined;
      }
      return (1 - bucket.tokens) / ratePerSecond;
    },
  };
}

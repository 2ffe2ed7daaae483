import { enableCompileCache } from "node:module";

// Cache the compiled (and type-stripped) modules on disk before loading
// them: later starts skip most of the work. Where the cache directory is not
// writable (a read-only filesystem) the service starts the slow way.
// NODE_COMPILE_CACHE names the directory; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
enableCompileCache();

/** Entry point: the service itself is in service.ts (composition root). */
await import("./service.ts");

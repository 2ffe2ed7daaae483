// Preloaded into a service under test (NODE_OPTIONS=--import=...): on SIGUSR2,
// writes the Node built-in modules loaded so far, one per line, to the file
// named by BUILTINS_REPORT.
import { writeFileSync } from "node:fs";

process.on("SIGUSR2", () => {
  const loaded = process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice("NativeModule ".length));
  writeFileSync(process.env.BUILTINS_REPORT, loaded.join("\n"));
});

/**
 * `buf breaking` against the last commit that had the proto: the working tree
 * when it differs from HEAD, otherwise HEAD itself against HEAD~1. Skips (with
 * a message) when there is no earlier version to compare with.
 */
import { execFileSync, spawnSync } from "node:child_process";

const git = (...args: string[]) => spawnSync("git", args, { encoding: "utf8" });
const dirty = git("diff", "--quiet", "HEAD", "--", "proto").status !== 0;
const ref = dirty ? "HEAD" : "HEAD~1";
if (git("rev-parse", "--verify", "--quiet", `${ref}:proto`).status !== 0) {
  console.log(`buf breaking: skipped, no proto/ at ${ref} to compare with`);
  process.exit(0);
}
execFileSync("buf", ["breaking", "proto", "--against", `.git#ref=${ref},subdir=proto`], { stdio: "inherit" });
console.log(`buf breaking: no breaking change against ${ref}`);

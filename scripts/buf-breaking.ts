/**
 * `buf breaking` for the API: the proto as it is now against the last
 * committed version (HEAD when proto/ has uncommitted changes, else HEAD~1).
 * The old version is built in a temp folder with today's buf.yaml, because
 * the googleapis imports live in node_modules, not in git.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const git = (...args: string[]) => spawnSync("git", args, { encoding: "utf8" });
const dirty = git("diff", "--quiet", "HEAD", "--", "proto").status !== 0;
const ref = dirty ? "HEAD" : "HEAD~1";
if (git("rev-parse", "--verify", "--quiet", `${ref}:proto`).status !== 0) {
  console.log(`buf breaking: skipped, no proto/ at ${ref} to compare with`);
  process.exit(0);
}
const old = mkdtempSync(join(tmpdir(), "personsvc-buf-"));
try {
  execFileSync("sh", ["-c", `git archive ${ref} proto | tar -x -C "${old}"`]);
  copyFileSync("buf.yaml", join(old, "buf.yaml"));
  symlinkSync(resolve("node_modules"), join(old, "node_modules"));
  const image = join(old, "image.binpb");
  execFileSync("buf", ["build", join(old, "proto"), "-o", image], { stdio: "inherit" });
  execFileSync("buf", ["breaking", "proto", "--against", image], { stdio: "inherit" });
  console.log(`buf breaking: no breaking change against ${ref}`);
} finally {
  rmSync(old, { recursive: true, force: true });
}

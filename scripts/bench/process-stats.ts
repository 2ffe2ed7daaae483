import { readdirSync, readFileSync } from "node:fs";

const ticksPerSecond = 100;

/** `pid` and its descendants (the workers of a clustered service). */
function processTree(pid: number): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    const id = tree[i]!;
    try {
      for (const task of readdirSync(`/proc/${id}/task`)) {
        const children = readFileSync(`/proc/${id}/task/${task}/children`, "utf8").trim();
        if (children) tree.push(...children.split(" ").map(Number));
      }
    } catch {
      // the process ended meanwhile
    }
  }
  return tree;
}

function sumOverTree(pid: number, read: (id: number) => number): number {
  let total = 0;
  for (const id of processTree(pid)) {
    try {
      total += read(id);
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/** CPU seconds (user + system) a process and its descendants have used so far. */
export function cpuSeconds(pid: number): number {
  return sumOverTree(pid, (id) => {
    const fields = readFileSync(`/proc/${id}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  });
}

/** Resident set size now of a process and its descendants, in MB. */
export function rssMb(pid: number): number {
  return sumOverTree(pid, (id) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${id}/status`, "utf8"))?.[1] ?? 0) / 1024);
}

/** Samples RSS (process and descendants) every 100 ms until stopped; returns the peak in MB. */
export function watchPeakRss(pid: number): () => number {
  let peak = rssMb(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

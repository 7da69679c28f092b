// The core's benchmarks (W1 scalar worked network, W4 chain): nabla against hand-written code in
// the same process, as ratios.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { measure, ms, ratio } from "./harness.ts";
import { trainHand, trainNabla } from "./workloads/worked-network.ts";
import { gradHandTape, gradNabla } from "./workloads/chain.ts";

export interface Row {
  readonly workload: string;
  readonly nabla: number;
  readonly peer: string;
  readonly peerTime: number;
}

export function benchCore(): Row[] {
  const rows: Row[] = [];
  const w1 = measure({ nabla: () => trainNabla(10_000), hand: () => trainHand(10_000) }, 15, 3);
  rows.push({ workload: "W1 worked network, 10,000 GD steps (scalar ops)", nabla: w1.nabla.median, peer: "hand-written loop", peerTime: w1.hand.median });
  const g = gradNabla(100_000);
  const w4 = measure({ nabla: () => g(0.5), tape: () => gradHandTape(100_000, 0.5) }, 15, 3);
  rows.push({ workload: "W4 chain grad, 100,000 steps (500,000 ops)", nabla: w4.nabla.median, peer: "hand-written tape", peerTime: w4.tape.median });
  return rows;
}

export function chainMemory(steps: number): { ok: boolean; ms: number; bytesPerOp: number; message: string } {
  const script = fileURLToPath(new URL("./chain-memory.ts", import.meta.url));
  const out = execFileSync(process.execPath, ["--import", "tsx", script, String(steps)], { encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop()!) as { ok: boolean; ms: number; bytesPerOp: number; message: string };
}

export function printRows(rows: readonly Row[]): void {
  for (const r of rows) {
    console.log(`${r.workload}: nabla ${ms(r.nabla)}, ${r.peer} ${ms(r.peerTime)}, nabla/peer ${ratio(r.nabla, r.peerTime)}`);
  }
}

// The examples run as programs and print the course's figures, computed here from closed forms.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { numbersAfter, runExample } from "./run-example.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("examples/chain-rule.ts", () => {
  const out = runExample("chain-rule");
  const x = 1.5;
  const expected = (Math.cos(0.5 * x * x) * x).toFixed(9);
  it("prints d/dx sin(0.5x²) = cos(0.5x²)·x in forward and reverse mode", () => {
    expect(numbersAfter(out, "forward mode (derivative) =")[0].toFixed(9)).toBe(expected);
    expect(numbersAfter(out, "reverse mode (grad)       =")[0].toFixed(9)).toBe(expected);
  });
  it("prints the Jacobian of the R³ → R² map by jacfwd and jacrev", () => {
    const [x1, x2, x3] = [1, 2, 3];
    const J = [x2 * x3, x1 * x3, x1 * x2, Math.cos(x1), 2 * x2 * x3, x2 * x2].map((v) => v.toFixed(9));
    expect(numbersAfter(out, "forward mode (jacfwd) =").map((v) => v.toFixed(9))).toEqual(J);
    expect(numbersAfter(out, "reverse mode (jacrev) =").map((v) => v.toFixed(9))).toEqual(J);
  });
});

describe("examples/worked-network.ts (npm run demo)", () => {
  const out = runExample("worked-network");
  const at = (label: string): string => numbersAfter(out, label)[0].toFixed(9);

  it("prints the course's forward pass", () => {
    expect(at("out_h1 =")).toBe("0.593269992");
    expect(at("out_h2 =")).toBe("0.596884378");
    expect(at("out_o1 =")).toBe("0.751365070");
    expect(at("out_o2 =")).toBe("0.772928465");
    expect(at("E_o1 =")).toBe("0.274811083");
    expect(at("E_o2 =")).toBe("0.023560026");
    expect(at("E_total =")).toBe("0.298371109");
  });
  it("prints every ∂E/∂w: the course's, and the rest by the chain rule worked by hand", () => {
    expect(at("∂E/∂w5 =")).toBe("0.082167041");
    expect(at("∂E/∂w1 =")).toBe("0.000438568");
    // the course's backward pass: δ_o = (out − target)·out·(1 − out), δ_h = (Σ δ_o·w)·out_h·(1 − out_h)
    const σ = (x: number): number => 1 / (1 + Math.exp(-x));
    const [i1, i2, t1, t2] = [0.05, 0.1, 0.01, 0.99];
    const [w1, w2, w3, w4, w5, w6, w7, w8] = [0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55];
    const h1 = σ(w1 * i1 + w2 * i2 + 0.35);
    const h2 = σ(w3 * i1 + w4 * i2 + 0.35);
    const o1 = σ(w5 * h1 + w6 * h2 + 0.6);
    const o2 = σ(w7 * h1 + w8 * h2 + 0.6);
    const d1 = (o1 - t1) * o1 * (1 - o1);
    const d2 = (o2 - t2) * o2 * (1 - o2);
    const e1 = (d1 * w5 + d2 * w7) * h1 * (1 - h1);
    const e2 = (d1 * w6 + d2 * w8) * h2 * (1 - h2);
    const expected: Record<string, number> = {
      w1: e1 * i1, w2: e1 * i2, w3: e2 * i1, w4: e2 * i2, w5: d1 * h1, w6: d1 * h2, w7: d2 * h1, w8: d2 * h2,
    };
    for (const [w, v] of Object.entries(expected)) expect(at(`∂E/∂${w} =`)).toBe(v.toFixed(9));
  });
  it("prints the weights after one step of lr 0.5, and the loss there", () => {
    const expected = {
      w5: "0.358916480", w6: "0.408666186", w7: "0.511301270", w8: "0.561370121",
      w1: "0.149780716", w2: "0.199561432", w3: "0.249751144", w4: "0.299502287",
    };
    for (const [w, v] of Object.entries(expected)) expect(at(`new ${w} =`)).toBe(v);
    expect(at("E_total after one step =")).toBe("0.291027774");
  });
  it("prints the loss and outputs after 10,000 steps", () => {
    expect(out).toContain("E_total after 10,000 steps = 3.510187783e-05");
    expect(numbersAfter(out, "out_o1, out_o2 after 10,000 steps =").map((v) => v.toFixed(9))).toEqual(["0.015913620", "0.984064274"]);
  });
  it("draws a sparkline and writes the SVG loss curve it names", () => {
    expect(out).toMatch(/loss [▁▂▃▄▅▆▇█]{20,}/);
    const path = /written to (\S+\.svg)/.exec(out)?.[1];
    expect(path).toBeDefined();
    expect(readFileSync(join(root, path!), "utf8")).toMatch(/^<svg[\s\S]*<polyline[\s\S]*<\/svg>\s*$/);
  });
});

describe("examples/regularization.ts", () => {
  const out = runExample("regularization");
  it("finds the same solution under the hard constraint and under withL2(λ*)", () => {
    expect(numbersAfter(out, "‖θ*‖ =")[0]).toBeCloseTo(1, 9);
    expect(numbersAfter(out, "distance ‖θ* − θ_soft‖ =")[0]).toBeLessThanOrEqual(1e-6);
    expect(numbersAfter(out, "θ* =")).toEqual(numbersAfter(out, "θ_soft =").map((v) => expect.closeTo(v, 6)));
    expect(numbersAfter(out, "λ* = ‖∇L(θ*)‖ / (2‖θ*‖) =")[0]).toBeGreaterThan(0);
  });
  it("shows that a smaller r gives a larger λ*, with the two solutions within 1e-6 for every r", () => {
    const lines = out.split("\n").filter((l) => /^\s+r = /.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    const rows = lines.map((l) => numbersAfter(l, "r ="));
    // each row: r, λ*, distance
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i][0]).toBeLessThan(rows[i - 1][0]);
      expect(rows[i][1]).toBeGreaterThan(rows[i - 1][1]);
    }
    for (const row of rows) expect(row[2]).toBeLessThanOrEqual(1e-6);
  });
});

describe("examples/iris.ts", () => {
  const out = runExample("iris");
  it("prints a held-out accuracy of at least 93%", () => {
    const match = /held-out accuracy: (\d+\.\d)%/.exec(out);
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBeGreaterThanOrEqual(93);
  });
  it("writes the SVG of the train and test loss it names", () => {
    const path = /written to (\S+\.svg)/.exec(out)?.[1];
    expect(path).toBeDefined();
    const svg = readFileSync(join(root, path!), "utf8");
    expect(svg.match(/<polyline/g)?.length).toBeGreaterThanOrEqual(2);
    expect(svg).toContain("test");
  });
});

describe("examples/digits.ts (a short run: -- --quick)", () => {
  const out = runExample("digits", ["--quick"]);
  it("splits the 1,797 images 80/20 by class and trains the CNN and the MLP for 40 steps each", () => {
    expect(out).toContain("digits: 1797 images 8×8, 1438 to train on, 359 held out");
    const optimizer = "chain\\(clipByGlobalNorm\\(1\\), adamw\\(warmupCosineDecaySchedule\\(0, 3e-3, …\\)\\)\\)";
    expect(out).toMatch(new RegExp(`CNN: serial\\(conv 3×3×16, .*\\), ${optimizer}, batch 32, 40 steps`));
    expect(out).toMatch(new RegExp(`MLP: serial\\(dense 128, .*\\), ${optimizer}, batch 32, 40 steps`));
  });
  it("learns in 40 steps: the minibatch loss falls and the held-out accuracy is far above chance", () => {
    const [before, after] = numbersAfter(out, "minibatch loss"); // the CNN's line comes first
    expect(after).toBeLessThan(before! / 3);
    expect(numbersAfter(out, "CNN held-out accuracy:")[0]).toBeGreaterThan(80);
    expect(numbersAfter(out, "MLP held-out accuracy:")[0]).toBeGreaterThan(50);
    expect(numbersAfter(out, "CNN training wall time:")[0]).toBeGreaterThan(0);
  });
  it("writes the training curves and the grid of mistakes it names, with their labels", () => {
    const curve = /curves written to (\S+\.svg)/.exec(out)?.[1];
    expect(readFileSync(join(root, curve!), "utf8").match(/<polyline/g)?.length).toBe(4);
    const grid = /(\d+) misclassified test digits \(predicted, true\) written to (\S+\.svg)/.exec(out);
    const svg = readFileSync(join(root, grid![2]!), "utf8");
    const mistakes = Number(grid![1]);
    expect(mistakes).toBeGreaterThan(0);
    expect(svg.match(/\(true \d\)<\/text>/g)?.length).toBe(mistakes);
    expect(svg.match(/<rect x=/g)?.length).toBe(mistakes * 65); // a frame and 64 pixels each
  });
});


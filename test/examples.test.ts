// The examples run as programs and print the course's figures, computed here from closed forms.
import { describe, expect, it } from "vitest";
import { numbersAfter, runExample } from "./run-example.ts";

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

// The course's two views of regularization, computed. Hard constraint: minimise L(θ) subject to
// ‖θ‖₂ <= r, by projected gradient descent, to θ*. Its Lagrange multiplier is λ* = ‖∇L(θ*)‖/(2‖θ*‖)
// (at θ* on the sphere, ∇L(θ*) + 2λ*θ* = 0). Soft constraint: minimise L(θ) + λ*‖θ‖₂² with no
// constraint. The two solutions coincide, and a smaller ball needs a larger λ*.
import {
  add, globalNorm, grad, key, matmul, meanSquaredError, mul, normal, primal, projected, projectToBall, type Real,
  sgd, split, sub, type Tensor, tensor, toArray, train, transpose, withL2, zeros,
} from "../src/index.ts";

const n = 40;
const d = 3;
const [dataKey, noiseKey] = split(key(2024));
const A = normal(dataKey, [n, d]);
const thetaTrue = tensor([2, -1, 0.5]);
const b = add(matmul(A, thetaTrue), mul(0.1, normal(noiseKey, [n])));

/** L(θ) = mean((Aθ − b)²), least squares. */
const loss = (theta: Tensor): Real => meanSquaredError(matmul(A, theta), b);

// A step size below 1/L for the L-smooth losses here: ∇²L = (2/n)AᵀA, whose largest eigenvalue is at
// most (2/n)‖A‖²_F, and the penalty adds 2λ.
const frobenius2 = primal(globalNorm(A)) ** 2;
const stepSize = (lambda: number): number => 1 / ((2 / n) * frobenius2 + 2 * lambda);
const lr = stepSize(0);
const steps = 1000;
const fmtVec = (t: Tensor): string => `[${(toArray(t) as number[]).map((v) => v.toFixed(9)).join(", ")}]`;
const norm = (t: Tensor): number => primal(globalNorm(t));

/** The hard problem: projected gradient descent onto the ball of radius r. */
const hard = (r: number): Tensor =>
  train({ loss, params: zeros([d]), optimizer: projected(sgd(lr), projectToBall(r)), steps }).params;

/** The soft problem: L + λ‖θ‖², no constraint. */
const soft = (lambda: number): Tensor => train({ loss: withL2(lambda)(loss), params: zeros([d]), optimizer: sgd(stepSize(lambda)), steps }).params;

/** λ* = ‖∇L(θ*)‖ / (2‖θ*‖), from the stationarity of the Lagrangian L(θ) + λ(‖θ‖² − r²). */
const multiplier = (thetaStar: Tensor): number => norm(grad(loss)(thetaStar)) / (2 * norm(thetaStar));

/** The soft problem's solution in closed form: ∇ = (2/n)Aᵀ(Aθ − b) + 2λθ = 0, by Gaussian elimination. */
function ridge(lambda: number): Tensor {
  const M = toArray(add(mul(1 / n, matmul(transpose(A), A)), mul(lambda, eye(d)))) as number[][];
  const v = toArray(mul(1 / n, matmul(transpose(A), b))) as number[];
  const rows = M.map((row, i) => [...row, v[i]]);
  for (let c = 0; c < d; c++) {
    for (let r = c + 1; r < d; r++) {
      const f = rows[r][c] / rows[c][c];
      for (let k = c; k <= d; k++) rows[r][k] -= f * rows[c][k];
    }
  }
  const x = new Array<number>(d).fill(0);
  for (let r = d - 1; r >= 0; r--) x[r] = (rows[r][d] - rows[r].slice(r + 1, d).reduce((s, m, k) => s + m * x[r + 1 + k], 0)) / rows[r][r];
  return tensor(x);
}
const eye = (k: number): Tensor => tensor(Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 : 0))));

const unconstrained = train({ loss, params: zeros([d]), optimizer: sgd(lr), steps }).params;
console.log(`Least squares on ${n} points in R^${d}: L(θ) = mean((Aθ − b)²)`);
console.log(`  unconstrained minimiser θ_ls = ${fmtVec(unconstrained)}, ‖θ_ls‖ = ${norm(unconstrained).toFixed(6)}`);

const r = 1;
const thetaStar = hard(r);
const lambdaStar = multiplier(thetaStar);
const thetaSoft = soft(lambdaStar);
console.log(`\nhard constraint ‖θ‖₂ ≤ r = ${r}: projected(sgd(${lr.toFixed(3)}), projectToBall(${r})), ${steps} steps`);
console.log(`  θ* = ${fmtVec(thetaStar)}`);
console.log(`  ‖θ*‖ = ${norm(thetaStar).toFixed(9)}`);
console.log(`  λ* = ‖∇L(θ*)‖ / (2‖θ*‖) = ${lambdaStar.toFixed(9)}`);
console.log(`soft constraint: minimise L(θ) + λ*·‖θ‖₂² with withL2(λ*), sgd(${stepSize(lambdaStar).toFixed(3)}), no constraint`);
console.log(`  θ_soft = ${fmtVec(thetaSoft)}`);
console.log(`  distance ‖θ* − θ_soft‖ = ${norm(sub(thetaStar, thetaSoft)).toExponential(2)}`);
console.log(`  closed form (AᵀA/n + λ*I)θ = Aᵀb/n solved directly: distance to θ_soft = ${norm(sub(ridge(lambdaStar), thetaSoft)).toExponential(2)}`);

console.log("\na smaller ball needs a larger multiplier:");
const radii = [2, 1.5, 1, 0.5, 0.25];
const lambdas = radii.map((radius) => {
  const t = hard(radius);
  const l = multiplier(t);
  const distance = norm(sub(t, soft(l)));
  console.log(`  r = ${radius.toFixed(2)}   λ* = ${l.toFixed(9)}   ‖θ* − θ_soft‖ = ${distance.toExponential(2)}`);
  return l;
});
const increasing = lambdas.every((l, i) => i === 0 || l > lambdas[i - 1]);
console.log(`  λ* grows as r shrinks: ${increasing ? "yes" : "no"}`);

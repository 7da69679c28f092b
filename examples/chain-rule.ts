// The course's chain rule, executed: d/dx sin(0.5·x²) = cos(0.5·x²)·x in forward and reverse mode,
// and the Jacobian of a map R³ → R² ("gradients from all possible paths") by jacfwd and jacrev.
import { add, derivative, grad, jacfwd, jacrev, mul, type Real, sin, square } from "../src/index.ts";

const fmt = (x: number): string => x.toFixed(9);
const fmtMatrix = (m: readonly (readonly number[])[]): string => `[${m.map((r) => `[${r.map(fmt).join(", ")}]`).join(", ")}]`;

// z = f(y) = sin(y), y = g(x) = 0.5·x²
const composite = (x: Real): Real => sin(mul(0.5, square(x)));
const x = 1.5;
console.log(`d/dx sin(0.5·x²) at x = ${x}`);
console.log(`  closed form cos(0.5·x²)·x = ${fmt(Math.cos(0.5 * x * x) * x)}`);
console.log(`  forward mode (derivative) = ${fmt(derivative(composite)(x))}`);
console.log(`  reverse mode (grad)       = ${fmt(grad(composite)(x))}`);

// y(x) = [x₁·x₂·x₃, sin(x₁) + x₂²·x₃]: J[i][j] = ∂yᵢ/∂xⱼ
const map = (v: readonly Real[]): Real[] => [mul(mul(v[0], v[1]), v[2]), add(sin(v[0]), mul(square(v[1]), v[2]))];
const at = [1, 2, 3];
const [x1, x2, x3] = at;
console.log(`Jacobian of y(x) = [x₁·x₂·x₃, sin(x₁) + x₂²·x₃] at x = [${at.join(", ")}]`);
console.log(`  closed form [[x₂x₃, x₁x₃, x₁x₂], [cos x₁, 2x₂x₃, x₂²]] = ${fmtMatrix([[x2 * x3, x1 * x3, x1 * x2], [Math.cos(x1), 2 * x2 * x3, x2 * x2]])}`);
console.log(`  forward mode (jacfwd) = ${fmtMatrix(jacfwd(map)(at))}`);
console.log(`  reverse mode (jacrev) = ${fmtMatrix(jacrev(map)(at))}`);

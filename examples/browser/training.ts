// The page's training state, kept pure: settings in, a new state out. One step is the course's update
// θ ← θ − lr·∇(E_total + λ‖θ‖²) (withL2, the soft constraint), then, if on, projectToBall(r) (the hard one).
import {
  globalNorm, grad, primal, projected, projectToBall, type Real, sgd, withL2,
} from "nabla";
import { initial, loss, type Weights } from "./network.ts";

export interface Settings {
  readonly lr: number;
  /** λ of withL2; 0 leaves E_total alone. */
  readonly lambda: number;
  /** Project onto the ball ‖θ‖₂ <= radius after every step. */
  readonly project: boolean;
  readonly radius: number;
}

/** The course's setting: plain gradient descent with lr 0.5, no regularization. */
export const defaults: Settings = { lr: 0.5, lambda: 0, project: false, radius: 1.5 };

export interface Run {
  readonly weights: Weights;
  readonly steps: number;
  /** E_total after 0, 1, …, steps updates. */
  readonly losses: readonly number[];
  /** ‖θ‖₂ after 0, 1, …, steps updates. */
  readonly norms: readonly number[];
}

const norm = (w: Weights): number => primal(globalNorm(w));

export const start = (): Run => ({ weights: initial, steps: 0, losses: [primal(loss(initial))], norms: [norm(initial)] });

/** What gradient descent minimises: E_total, plus λ‖θ‖² when λ > 0. */
export const objective = (s: Settings): ((w: Weights) => Real) => (s.lambda > 0 ? withL2(s.lambda)(loss) : loss);

/** The penalty's own gradient, 2λθ, computed by nabla like the rest (λ‖θ‖² is withL2 of a zero loss). */
export const penaltyGradient = (s: Settings, w: Weights): Weights => grad(withL2(s.lambda)((_: Weights): Real => 0))(w);

/** The weights after one update under `s`. */
export function update(s: Settings, w: Weights): Weights {
  const optimizer = s.project ? projected(sgd(s.lr), projectToBall(s.radius)) : sgd(s.lr);
  const [next] = optimizer.update(grad(objective(s))(w), optimizer.init(w), w);
  return next;
}

/** `run` after `n` more updates; the histories grow by `n` (copied once, not once per step). */
export function advance(s: Settings, run: Run, n = 1): Run {
  let weights = run.weights;
  const losses: number[] = [];
  const norms: number[] = [];
  for (let i = 0; i < n; i++) {
    weights = update(s, weights);
    losses.push(primal(loss(weights)));
    norms.push(norm(weights));
  }
  return { weights, steps: run.steps + n, losses: [...run.losses, ...losses], norms: [...run.norms, ...norms] };
}

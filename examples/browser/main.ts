// The page: wires the controls to the pure training state and redraws the numbers, the network and the
// curves after every step. The only mutable things are the current `run`, `settings` and `running`.
import { grad, primal } from "nabla";
import { lineChart } from "./chart.ts";
import { diagram } from "./diagram.ts";
import { forward, forwardNames, loss, named, weightNames } from "./network.ts";
import { advance, defaults, objective, penaltyGradient, type Run, type Settings, start } from "./training.ts";

const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el as T;
};

const controls = {
  lr: byId<HTMLInputElement>("lr"),
  lambda: byId<HTMLInputElement>("lambda"),
  project: byId<HTMLInputElement>("project"),
  radius: byId<HTMLInputElement>("radius"),
  step: byId<HTMLButtonElement>("step"),
  run: byId<HTMLButtonElement>("run"),
  reset: byId<HTMLButtonElement>("reset"),
};

// One table cell per quantity, found by its data-q; the rows are made here from the names.
const row = (cells: readonly string[]): string => `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`;
byId("forward").innerHTML = [...forwardNames, "objective", "norm"]
  .map((k) => row([k === "objective" ? "E_total + λ‖w‖²" : k === "norm" ? "‖w‖₂" : k, `<span data-q="${k}"></span>`]))
  .join("");
byId("weights").innerHTML = weightNames
  .map((w) => row([w, `<span data-q="${w}"></span>`, `<span data-q="dE/d${w}"></span>`, `<span data-q="dP/d${w}"></span>`]))
  .join("");
const cells = new Map([...document.querySelectorAll<HTMLElement>("[data-q]")].map((el) => [el.dataset.q ?? "", el]));
const show = (q: string, x: number): void => {
  const el = cells.get(q);
  if (el !== undefined) el.textContent = x.toFixed(9);
};

const readSettings = (): Settings => ({
  lr: Number(controls.lr.value),
  lambda: Number(controls.lambda.value),
  project: controls.project.checked,
  radius: Number(controls.radius.value),
});

// The course's settings are the defaults, whatever the browser restored into the inputs.
controls.lr.value = String(defaults.lr);
controls.lambda.value = String(defaults.lambda);
controls.project.checked = defaults.project;
controls.radius.value = String(defaults.radius);
let settings: Settings = readSettings();
let run: Run = start();
let running = false;

function render(): void {
  const w = named(run.weights);
  const f = forward(run.weights);
  const dE = named(grad(loss)(run.weights));
  const dP = named(penaltyGradient(settings, run.weights));
  for (const k of forwardNames) show(k, f[k]);
  show("objective", primal(objective(settings)(run.weights)));
  show("norm", run.norms[run.norms.length - 1]);
  for (const k of weightNames) {
    show(k, w[k]);
    show(`dE/d${k}`, dE[k]);
    show(`dP/d${k}`, dP[k]);
  }
  byId("steps").textContent = String(run.steps);
  for (const k of ["lr", "lambda", "radius"] as const) byId(`${k}-value`).textContent = String(settings[k]);
  byId("diagram").innerHTML = diagram(w, f);
  byId("loss-curve").innerHTML = lineChart({ title: "E_total (log scale)", values: run.losses, color: "#1f77b4", logY: true });
  byId("norm-curve").innerHTML = lineChart({
    title: "‖w‖₂, the size of the weights",
    values: run.norms,
    color: "#2ca02c",
    height: 130,
    level: settings.project ? { value: settings.radius, label: `ball r = ${settings.radius}` } : undefined,
  });
}

// Running: as many steps as fit in ~12 ms, then one redraw per animation frame.
function frame(): void {
  if (!running) return;
  const began = performance.now();
  do run = advance(settings, run, 5);
  while (performance.now() - began < 12);
  render();
  requestAnimationFrame(frame);
}

function setRunning(on: boolean): void {
  running = on;
  controls.run.textContent = on ? "Pause" : "Run";
  controls.run.dataset.running = String(on);
  if (on) requestAnimationFrame(frame);
}

for (const input of [controls.lr, controls.lambda, controls.project, controls.radius]) {
  input.addEventListener("input", () => {
    settings = readSettings();
    render();
  });
}
controls.step.addEventListener("click", () => {
  setRunning(false);
  run = advance(settings, run, 1);
  render();
});
controls.run.addEventListener("click", () => setRunning(!running));
controls.reset.addEventListener("click", () => {
  setRunning(false);
  run = start();
  render();
});

render();
document.body.dataset.ready = "true";

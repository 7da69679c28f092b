// The probe page's script: reports the kernel backend in use (WebAssembly SIMD, or the JS fallback
// under a Content-Security-Policy that forbids compiling) and a product large enough to cross its blocks.
import { matmul, tensor, toArray } from "nabla";
import { backendName } from "../../src/internal.ts";
import { probeOperands } from "./probe.ts";

const [a, b] = probeOperands();
const product = toArray(matmul(tensor(a), tensor(b)));
const out = document.getElementById("product");
if (out !== null) out.textContent = JSON.stringify(product);
const shown = document.getElementById("backend");
if (shown !== null) shown.textContent = backendName();
document.body.dataset.backend = backendName();
document.body.dataset.ready = "true";

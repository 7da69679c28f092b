// The whole library, every export kept.
import * as nabla from "nabla";

globalThis.nabla = nabla;
console.log(nabla.grad((x) => nabla.mul(x, nabla.sin(x)))(1));

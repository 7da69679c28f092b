// The bundle-size probe: a program that uses only grad, mul and sin.
import { grad, mul, sin } from "nabla";

console.log(grad((x) => mul(x, sin(x)))(1));

// The JavaScript backend: plain loops over Float64Array, with fused elementwise loops generated at run
// time (interpreted where code generation is forbidden).
import type { Kernels } from "../kernels.ts";
import { run } from "./fusion/run.ts";
import { broadcast, concat, pad, slice, sumAxis, sumTo, transpose } from "./layout.ts";
import { matmul, matmulStack } from "./matmul.ts";
import { argmax, logSumExp, softmax } from "./reduce.ts";
import { extremum, scatterAdd, take } from "./gather.ts";
import { conv2d, conv2dFilter, conv2dInput } from "./conv.ts";
import { avgPool, avgPoolTranspose, maxPool, maxPoolGather, maxPoolScatter } from "./pool.ts";

export const js: Kernels = {
  matmul, matmulStack, run, broadcast, sumTo, sumAxis, transpose, slice, pad, concat, softmax, logSumExp, argmax, take, scatterAdd, extremum,
  conv2d, conv2dInput, conv2dFilter, maxPool, maxPoolGather, maxPoolScatter, avgPool, avgPoolTranspose,
};

// nabla: differentiable programming for TypeScript. This is the only public entry point.
//
// Naming: `derivative`, `jvp`, `jacfwd` are forward mode (dual numbers); `vjp`, `grad`,
// `valueAndGrad`, `jacrev` are reverse mode (pullbacks on a tape); `hvp`, `hessian` are forward over
// reverse. Every transform takes a function of one argument, a Tree, and nests with every other.

/**
 * Every public name of nabla: values, scalar and tensor operations, transforms, layers, losses,
 * regularization, optimizers, training and randomness.
 * @module nabla
 */

// values
export type { Real } from "./core/protocol.ts";
export type { Dual } from "./interpreters/forward/dual.ts";
export type { Like, Plain, Result, Tree } from "./tree/types.ts";
export { dual, primal, stopGradient, tangent } from "./transforms/values.ts";

// tree utilities (JAX's tree_util)
export { treeFlatten, treeLeaves, treeMap, treeReduce, treeUnflatten } from "./tree/utilities.ts";
export type { LeafOf, TreeDef, TreeOf, WithLeaves } from "./tree/utilities.ts";

// scalar operations
export {
  abs, add, cos, div, dot, exp, log, max, min, mul, neg, pow, relu, sigmoid, sin, softplus, sqrt, square,
  sub, tan, tanh,
} from "./rules/scalar.ts";
export type { BinaryOp, UnaryOp } from "./rules/define.ts";

// tensors
export { Tensor, full, ones, tensor, zeros } from "./tensor/tensor.ts";
export { toArray, toFloat64Array } from "./transforms/values.ts";
export type { NestedArray } from "./tensor/tensor.ts";
export type { Shape } from "./base/shape.ts";
export { amax, amin, argmax, logSumExp, mean, oneHot, softmax, sum, variance } from "./rules/reduce.ts";
export { broadcastTo, concat, expandDims, reshape, slice, squeeze, stack, transpose } from "./rules/structure.ts";
export { take } from "./rules/gather.ts";
export { where } from "./rules/masks.ts";
export { matmul } from "./rules/linalg.ts";
export { conv2d } from "./rules/conv.ts";
export type { Conv2dOptions } from "./rules/conv.ts";
export { avgPool2d, maxPool2d } from "./rules/pool.ts";
export type { Pool2dOptions } from "./rules/pool.ts";

// transforms
export { derivative, jacfwd, jvp } from "./transforms/forward.ts";
export type { Derivative } from "./transforms/forward.ts";
export { grad, jacrev, valueAndGrad, vjp } from "./transforms/reverse.ts";
export type { Pullback } from "./transforms/reverse.ts";
export type { Gradient, GradientOf, GradientWithAux, ValueAndGradient, ValueAndGradientOf, ValueAndGradientWithAux } from "./transforms/gradient-types.ts";
export type { AuxOptions, NoAux, OptionsFor, WithAux } from "./transforms/aux.ts";
export { hessian, hvp } from "./transforms/second-order.ts";
export { linearize } from "./transforms/linearize.ts";
export type { LinearMap } from "./transforms/linearize.ts";
export type { HessianVectorProduct } from "./transforms/second-order.ts";
export type { Jacobian } from "./transforms/vector.ts";
export { customJvp, customVjp } from "./transforms/custom.ts";
export { vmap } from "./transforms/vmap.ts";
export type { Axes, Batchable, Stacked } from "./transforms/vmap.ts";
export { jit } from "./transforms/jit.ts";
export type { Jitted } from "./transforms/jit.ts";

// the catalogues of primitives, for table-driven tests and laws
export { primitives } from "./rules/catalogue.ts";
export type { Primitive } from "./rules/catalogue.ts";
export { tensorPrimitives } from "./rules/catalogue.ts";
export type { TensorPrimitive } from "./rules/catalogue.ts";
export type { Domain } from "./core/protocol.ts";

// algebra (fp-ts instances)
export { FieldReal, MonoidProductReal, MonoidSumReal, SemigroupGradient, getGradientMonoid } from "./algebra/instances.ts";

// models, losses, regularization, optimizers, training, randomness
export { dense, reluLayer, serial, sigmoidLayer, softmaxLayer, tanhLayer } from "./nn/layer.ts";
export type { DenseOptions, DenseParams, Layer, LayerContext, ParamsOf, SerialParams } from "./nn/layer.ts";
export { avgPool, conv, flatten, maxPool } from "./nn/conv.ts";
export type { ConvParams } from "./nn/conv.ts";
export { dropout, embedding, layerNorm } from "./nn/norm.ts";
export type { EmbeddingParams, LayerNormOptions, LayerNormParams } from "./nn/norm.ts";
export { binaryCrossEntropy, halfSquaredError, meanSquaredError, softmaxCrossEntropy } from "./nn/loss.ts";
export type { LossInput } from "./nn/loss.ts";
export { globalNorm, squaredNorm, weightsOnly, withL2 } from "./regularize/withL2.ts";
export type { L2Options, LeafSelector, LossTransform } from "./regularize/withL2.ts";
export { projectToBall } from "./regularize/projectToBall.ts";
export type { BallOptions, Projection } from "./regularize/projectToBall.ts";
export { projected } from "./optim/transformation.ts";
export type { EmptyState, Optimizer } from "./optim/transformation.ts";
export type { PathKey } from "./tree/params.ts";
export { sgd } from "./optim/sgd.ts";
export { momentum } from "./optim/momentum.ts";
export type { MomentumState } from "./optim/momentum.ts";
export { adam } from "./optim/adam.ts";
export type { AdamState } from "./optim/adam.ts";
export { adadelta } from "./optim/adadelta.ts";
export type { AdadeltaState } from "./optim/adadelta.ts";
export { train } from "./train/train.ts";
export type { StepInfo, TrainOptions, TrainResult } from "./train/train.ts";
export { key, split } from "./random/key.ts";
export type { Key } from "./random/key.ts";
export { normal, uniform } from "./random/sample.ts";
export { adamw } from "./optim/adam.ts";
export { rmsprop } from "./optim/rmsprop.ts";
export type { RmspropOptions, RmspropState } from "./optim/rmsprop.ts";
export { adagrad } from "./optim/adagrad.ts";
export type { AdagradState } from "./optim/adagrad.ts";
export type { CountState, LearningRate, Schedule } from "./optim/rate.ts";
export {
  constantSchedule, cosineDecaySchedule, exponentialDecay, linearSchedule, piecewiseConstantSchedule, warmupCosineDecaySchedule,
} from "./optim/schedule.ts";
export type { ExponentialDecayOptions } from "./optim/schedule.ts";
export { addDecayedWeights, chain, clip, clipByGlobalNorm } from "./optim/chain.ts";
export type { ChainState, GradientTransformation } from "./optim/chain.ts";
export { bernoulli, categorical, permutation, randint } from "./random/discrete.ts";
export { accuracy } from "./train/accuracy.ts";
export type { TrainDataOptions } from "./train/train.ts";
export { loadParams, saveParams } from "./io/json.ts";
export { fromSafetensors, toSafetensors } from "./io/safetensors.ts";

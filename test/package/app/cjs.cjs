// require("nabla") from CommonJS, where Node can require ES modules (20.19+, 22.12+). Prints JSON.
const { grad, mul, sin, tensor, toFloat64Array } = require("nabla");
const laws = require("nabla/laws");
console.log(
  JSON.stringify({
    grad: grad((x) => mul(x, sin(x)))(1),
    data: [
      ...toFloat64Array(
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ),
    ],
    laws: typeof laws.checkFiniteDifferences,
  }),
);

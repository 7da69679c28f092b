// The network drawn as SVG markup: inputs, hidden and output units with their values, and an edge per
// weight whose width grows with |w| and whose colour is its sign. A pure function of the numbers shown.
import { biases, type Forward, inputs, targets, type WeightName } from "./network.ts";

const [W, H, R] = [600, 250, 26];
const node = { i1: [60, 75], i2: [60, 185], h1: [300, 75], h2: [300, 185], o1: [540, 75], o2: [540, 185] } as const;
type Node = keyof typeof node;

// which units each weight joins, and where along the edge its label sits (the crossing edges
// get theirs past the crossing, so that no two labels overlap)
const edges: readonly (readonly [WeightName, Node, Node, number])[] = [
  ["w1", "i1", "h1", 0.5], ["w2", "i2", "h1", 0.72], ["w3", "i1", "h2", 0.72], ["w4", "i2", "h2", 0.5],
  ["w5", "h1", "o1", 0.5], ["w6", "h2", "o1", 0.72], ["w7", "h1", "o2", 0.72], ["w8", "h2", "o2", 0.5],
];

const fmt = (x: number): string => x.toFixed(9);

function edge([name, from, to, t]: (typeof edges)[number], w: number): string {
  const [x1, y1] = node[from];
  const [x2, y2] = node[to];
  const [lx, ly] = [x1 + t * (x2 - x1), y1 + t * (y2 - y1) + (y1 === y2 ? (y1 < H / 2 ? -7 : 15) : 4)];
  const width = (1 + 1.5 * Math.min(Math.abs(w), 4)).toFixed(2);
  return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${w >= 0 ? "#1f77b4" : "#d62728"}" stroke-width="${width}" stroke-opacity="0.55"/>
<text class="label" x="${lx.toFixed(1)}" y="${ly.toFixed(1)}" text-anchor="middle"><tspan font-weight="bold">${name}</tspan> ${fmt(w)}</text>`;
}

/** A unit, its name inside, and up to two lines of text above it (top row) or below it (bottom row). */
function unit(name: Node, lines: readonly string[]): string {
  const [x, y] = node[name];
  const top = y < H / 2;
  const text = lines.map((line, i) => {
    const ty = top ? y - R - 8 - 14 * (lines.length - 1 - i) : y + R + 16 + 14 * i;
    return `<text class="label" x="${x}" y="${ty}" text-anchor="middle">${line}</text>`;
  });
  return `<circle cx="${x}" cy="${y}" r="${R}" fill="#fff" stroke="#333" stroke-width="1.5"/>
<text x="${x}" y="${y + 5}" text-anchor="middle" font-weight="bold">${name}</text>${text.join("")}`;
}

/** The whole diagram for weights `w` (by the course's names) and the forward values `f` at them. */
export function diagram(w: Readonly<Record<WeightName, number>>, f: Forward): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">
${edges.map((e) => edge(e, w[e[0]])).join("\n")}
${unit("i1", [`input ${inputs[0].toFixed(2)}`])}${unit("i2", [`input ${inputs[1].toFixed(2)}`])}
${unit("h1", [`out ${fmt(f.out_h1)}`])}${unit("h2", [`out ${fmt(f.out_h2)}`])}
${unit("o1", [`out ${fmt(f.out_o1)}`, `target ${targets[0].toFixed(2)}`])}${unit("o2", [`out ${fmt(f.out_o2)}`, `target ${targets[1].toFixed(2)}`])}
<text class="label" x="${node.h1[0]}" y="${H / 2 + 4}" text-anchor="middle">b1 = ${biases.b1.toFixed(2)}</text>
<text class="label" x="${node.o1[0]}" y="${H / 2 + 4}" text-anchor="middle">b2 = ${biases.b2.toFixed(2)}</text>
</svg>`;
}

// A grid of small grayscale images as SVG, each with a caption (for the digits example's mistakes).
// Plain strings, no dependencies; not part of the library.

export interface Captioned {
  /** Row-major pixels in [0, 1] (0 white, 1 black). */
  readonly pixels: readonly number[];
  readonly width: number;
  readonly height: number;
  readonly caption: string;
}

const escape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/** The images in rows of `columns`, each pixel a `scale`-sized square, the caption under each. */
export function imageGrid(title: string, images: readonly Captioned[], options: { readonly columns?: number; readonly scale?: number } = {}): string {
  const columns = Math.max(1, Math.min(options.columns ?? 8, images.length || 1));
  const scale = options.scale ?? 8;
  const w = Math.max(1, ...images.map((im) => im.width)) * scale;
  const h = Math.max(1, ...images.map((im) => im.height)) * scale;
  const [cellW, cellH, top, pad] = [w + 24, h + 40, 44, 12];
  const rows = Math.max(1, Math.ceil(images.length / columns));
  // wide enough for the grid and for the title (about 8 px a character at 15 px)
  const W = Math.max(columns * cellW + 2 * pad, title.length * 8 + 2 * pad, 320);
  const H = top + rows * cellH + pad;
  const cells = images.map((im, k) => {
    const x0 = pad + (k % columns) * cellW + 12;
    const y0 = top + Math.floor(k / columns) * cellH;
    const pixels = im.pixels.map((v, i) => {
      const level = Math.round(255 * (1 - Math.min(1, Math.max(0, v))));
      return `<rect x="${x0 + (i % im.width) * scale}" y="${y0 + Math.floor(i / im.width) * scale}" width="${scale}" height="${scale}" fill="rgb(${level},${level},${level})"/>`;
    });
    return [
      `<rect x="${x0 - 1}" y="${y0 - 1}" width="${im.width * scale + 2}" height="${im.height * scale + 2}" fill="none" stroke="#999"/>`,
      ...pixels,
      `<text x="${x0 + (im.width * scale) / 2}" y="${y0 + im.height * scale + 16}" text-anchor="middle">${escape(im.caption)}</text>`,
    ].join("");
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="26" text-anchor="middle" font-size="15">${escape(title)}</text>`,
    ...(images.length === 0 ? [`<text x="${W / 2}" y="${top + 20}" text-anchor="middle">none</text>`] : cells),
    "</svg>",
    "",
  ].join("\n");
}

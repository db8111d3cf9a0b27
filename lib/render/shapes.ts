/**
 * The outlines a diagram node can have, each drawn the same way in Mermaid and SVG: its Mermaid
 * brackets, the room its outline takes beyond the text, its SVG outline, and where its outline
 * runs below the top (or above the bottom) of its box, so edges end on the drawn line.
 */
export enum NodeShape {
  /** Script steps (and any container step): a rectangle. */
  BOX = 'box',
  /** Training steps: a rectangle with an inner frame. */
  FRAMED = 'framed',
  /** Conditions: a hexagon. */
  HEXAGON = 'hexagon',
  /** Register-model steps: a cylinder (a store). */
  CYLINDER = 'cylinder',
  /** Fail steps: a stadium. */
  STADIUM = 'stadium',
  /** Data read from a URI: a parallelogram. */
  PARALLELOGRAM = 'parallelogram',
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Half-height of the ellipses of a register-model cylinder. */
export const CYLINDER_RY = 7;
/** How far a condition hexagon's points reach beyond its text area. */
export const HEXAGON_INSET = 16;
/** How far a parallelogram's top leans right of its bottom. */
export const SLANT = 10;
const CORNER = 6;

interface ShapeDrawing {
  readonly mermaid: readonly [string, string];
  /** Room beyond the text: width, height, and how much lower the text starts. */
  extra(textHeight: number, padY: number): { width: number; height: number; top: number };
  svg(box: Box, paint: string, stroke: string): string;
  /** `dx`: from the shape's left edge. */
  outlineInset(shape: Box, dx: number): number;
}

const flat = () => 0;
const n = (value: number) => String(Object.is(Math.round(value * 100) / 100, -0) ? 0 : Math.round(value * 100) / 100);
const boxAttrs = (b: Box) => `x="${n(b.x)}" y="${n(b.y)}" width="${n(b.width)}" height="${n(b.height)}"`;

export const SHAPES: { readonly [shape: string]: ShapeDrawing } = {
  [NodeShape.BOX]: {
    mermaid: ['[', ']'],
    extra: () => ({ width: 0, height: 0, top: 0 }),
    svg: (box, paint) => `<rect ${boxAttrs(box)} rx="${CORNER / 2}" ${paint}/>`,
    outlineInset: flat,
  },
  [NodeShape.FRAMED]: {
    mermaid: ['[[', ']]'],
    extra: () => ({ width: 8, height: 6, top: 3 }), // the inner frame
    svg: (box, paint, stroke) =>
      `<rect ${boxAttrs(box)} rx="${CORNER}" ${paint}/><rect ${boxAttrs({ x: box.x + 4, y: box.y + 3, width: box.width - 8, height: box.height - 6 })} rx="${CORNER - 2}" fill="none" stroke="${stroke}" stroke-width="0.8"/>`,
    outlineInset: flat,
  },
  [NodeShape.HEXAGON]: {
    mermaid: ['{{', '}}'],
    extra: () => ({ width: 2 * HEXAGON_INSET, height: 0, top: 0 }),
    svg: ({ x, y, width: w, height: h }, paint) => {
      const i = Math.min(HEXAGON_INSET, w / 4);
      const pts = [[x + i, y], [x + w - i, y], [x + w, y + h / 2], [x + w - i, y + h], [x + i, y + h], [x, y + h / 2]];
      return `<polygon points="${pts.map(([px, py]) => `${n(px)},${n(py)}`).join(' ')}" ${paint}/>`;
    },
    outlineInset: (s, dx) => {
      const fromSide = Math.min(dx, s.width - dx);
      return fromSide >= HEXAGON_INSET ? 0 : ((HEXAGON_INSET - fromSide) / HEXAGON_INSET) * (s.height / 2);
    },
  },
  [NodeShape.CYLINDER]: {
    mermaid: ['[(', ')]'],
    extra: () => ({ width: 0, height: 3 * CYLINDER_RY, top: 2 * CYLINDER_RY }),
    svg: ({ x, y, width: w, height: h }, paint) => {
      const rx = w / 2;
      const ry = CYLINDER_RY;
      const body = `M${n(x)},${n(y + ry)} L${n(x)},${n(y + h - ry)} A${n(rx)},${ry} 0 0 0 ${n(x + w)},${n(y + h - ry)} L${n(x + w)},${n(y + ry)}`;
      return `<path d="${body}" ${paint}/><ellipse cx="${n(x + rx)}" cy="${n(y + ry)}" rx="${n(rx)}" ry="${ry}" ${paint}/>`;
    },
    // The top ellipse and the bottom arc have the same curve: both touch the box at the centre.
    outlineInset: (s, dx) => {
      const rx = s.width / 2;
      const t = Math.min(Math.abs(dx - rx) / rx, 1);
      return CYLINDER_RY * (1 - Math.sqrt(1 - t * t));
    },
  },
  [NodeShape.STADIUM]: {
    mermaid: ['([', '])'],
    extra: (textHeight, padY) => ({ width: textHeight / 2 + padY, height: 0, top: 0 }), // room for the round ends
    svg: (box, paint) => `<rect ${boxAttrs(box)} rx="${n(box.height / 2)}" ${paint}/>`,
    outlineInset: (s, dx) => {
      const r = s.height / 2;
      const fromSide = Math.min(dx, s.width - dx);
      return fromSide >= r ? 0 : r - Math.sqrt(r * r - (r - fromSide) ** 2);
    },
  },
  [NodeShape.PARALLELOGRAM]: {
    mermaid: ['[/', '/]'],
    extra: () => ({ width: 2 * SLANT, height: 0, top: 0 }),
    svg: ({ x, y, width: w, height: h }, paint) =>
      `<polygon points="${[[x + SLANT, y], [x + w, y], [x + w - SLANT, y + h], [x, y + h]].map(([px, py]) => `${n(px)},${n(py)}`).join(' ')}" ${paint}/>`,
    // Edges leave and enter in the middle, where the top and bottom edges run straight.
    outlineInset: flat,
  },
};

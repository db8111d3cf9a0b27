import { Font } from './text';

/** One line of text; `x` is its centre for 'middle', its start for 'start'; `y` its baseline. */
export interface TextLine {
  readonly text: string;
  readonly font: Font;
  readonly x: number;
  readonly y: number;
  readonly anchor: 'start' | 'middle';
  /** What the line is, used as its SVG class: 'name', 'detail', 'title', ... */
  readonly role: string;
}

/** The fonts of every kind of text in a diagram. */
export const FONTS = {
  title: { size: 18, bold: true },
  subtitle: { size: 12 },
  name: { size: 13, bold: true },
  detail: { size: 12 },
  edgeLabel: { size: 11 },
  branchLabel: { size: 11, bold: true },
  cluster: { size: 12, bold: true },
  legend: { size: 11 },
} satisfies { [role: string]: Font };

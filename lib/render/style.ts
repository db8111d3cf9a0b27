import { EdgeKind } from './diagram';

/** Colours shared by the Mermaid and SVG renderers, so both diagrams read the same way. */
export interface BoxStyle {
  readonly fill: string;
  readonly stroke: string;
  readonly text: string;
}

export const EDGE_STYLE: { [kind: string]: { readonly stroke: string; readonly dash?: string } } = {
  [EdgeKind.DATA]: { stroke: '#4a5568' },
  [EdgeKind.METRIC]: { stroke: '#b26a00' },
  [EdgeKind.DEPENDS_ON]: { stroke: '#718096', dash: '6 4' },
  [EdgeKind.BRANCH]: { stroke: '#4a5568' },
};

/** Branch clusters and the edges into them: green for then, red for otherwise. */
export const BRANCH_STYLE: { [branch: string]: { readonly fill: string; readonly stroke: string } } = {
  then: { fill: '#f3fbf5', stroke: '#2e7d4f' },
  otherwise: { fill: '#fdf3f3', stroke: '#c0392b' },
};

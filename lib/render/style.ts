import { StepKind } from '../pipeline';
import { EdgeKind } from './diagram';

/** Colours shared by the Mermaid and SVG renderers, so both diagrams read the same way. */
export interface BoxStyle {
  readonly fill: string;
  readonly stroke: string;
  readonly text: string;
}

export const KIND_STYLE: { [kind: string]: BoxStyle } = {
  [StepKind.SCRIPT]: { fill: '#e8f0fe', stroke: '#3565c9', text: '#10264d' },
  [StepKind.TRAINING]: { fill: '#f1e8fd', stroke: '#7b42c9', text: '#2b1048' },
  [StepKind.CONDITION]: { fill: '#fff4d6', stroke: '#b07d00', text: '#3d2b00' },
  [StepKind.REGISTER_MODEL]: { fill: '#e4f5e9', stroke: '#2e7d4f', text: '#0f2e1b' },
  [StepKind.FAIL]: { fill: '#fde7e7', stroke: '#c0392b', text: '#4a0f0a' },
};

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

import { isA } from '../pipeline/brand';
import { ConditionStep } from '../pipeline/steps/condition-step';
import { ContainerStep } from '../pipeline/steps/container-step';
import { FailStep } from '../pipeline/steps/fail-step';
import { HandlerTable } from '../pipeline/handlers';
import { RegisterModelStep } from '../pipeline/steps/register-model-step';
import { Step, StepKind } from '../pipeline/step';
import { TuneStep } from '../pipeline/steps/tune-step';
import { NodeShape } from './shapes';
import { BoxStyle } from './style';
import { oneLine } from './text';

/**
 * How the diagrams draw one kind of step: its outline, colours and Mermaid class, the caption of
 * its kind, the one line of detail on the node and the facts of its tooltip. RENDER_STEPS maps
 * each kind to its handler; a kind without one cannot be drawn (the standard synth-time error).
 */
export interface RenderStepHandler {
  /** The kind's caption on nodes and in the legend. */
  readonly label: string;
  readonly shape: NodeShape;
  /** The Mermaid class of its nodes (no '-'), also their SVG colours. */
  readonly className: string;
  readonly style: BoxStyle;
  /** The most characters of detail shown on the node (the full text stays in the tooltip). @default 72 */
  readonly detailMaxChars?: number;
  /** One short line on what the step does: its script, model group, condition or message. */
  detail(step: Step): string | undefined;
  /** Tooltip facts about the step itself, after its kind and description. */
  facts(step: Step): string[];
}

/** Script, training and other container steps: the entry script, fan-out and metrics. */
function containerFacts(step: Step): string[] {
  if (!isA(step, ContainerStep)) {
    return [];
  }
  const facts: string[] = [];
  if (step.forEach) {
    facts.push(`forEach: ${step.forEach.map(oneLine).join(', ')}`);
  }
  const metrics = Object.keys(step.metricTypes());
  if (metrics.length > 0) {
    facts.push(`metrics: ${metrics.join(', ')}`);
  }
  return facts;
}

const containerDetail = (step: Step) => (isA(step, ContainerStep) ? step.entry : undefined);

export const RENDER_STEPS: HandlerTable<RenderStepHandler> = {
  [StepKind.SCRIPT]: {
    label: 'script',
    shape: NodeShape.BOX,
    className: 'script',
    style: { fill: '#e8f0fe', stroke: '#3565c9', text: '#10264d' },
    detail: containerDetail,
    facts: containerFacts,
  },
  [StepKind.TRAINING]: {
    label: 'training',
    shape: NodeShape.FRAMED,
    className: 'training',
    style: { fill: '#f1e8fd', stroke: '#7b42c9', text: '#2b1048' },
    detail: containerDetail,
    facts: containerFacts,
  },
  [StepKind.CONDITION]: {
    label: 'condition',
    shape: NodeShape.HEXAGON,
    className: 'condition',
    style: { fill: '#fff4d6', stroke: '#b07d00', text: '#3d2b00' },
    // Conditions get more room: they are what a condition node is about.
    detailMaxChars: 160,
    detail: (step) => String((step as ConditionStep).when),
    facts: (step) => [`when ${oneLine(String((step as ConditionStep).when))}`],
  },
  [StepKind.REGISTER_MODEL]: {
    label: 'register-model',
    shape: NodeShape.CYLINDER,
    className: 'registerModel',
    style: { fill: '#e4f5e9', stroke: '#2e7d4f', text: '#0f2e1b' },
    detail: (step) => `group ${(step as RegisterModelStep).group}`,
    facts: (step) => [`model group ${(step as RegisterModelStep).group}, approval ${(step as RegisterModelStep).approval}`],
  },
  [StepKind.FAIL]: {
    label: 'fail',
    shape: NodeShape.STADIUM,
    className: 'fail',
    style: { fill: '#fde7e7', stroke: '#c0392b', text: '#4a0f0a' },
    detail: (step) => (step as FailStep).message,
    facts: (step) => [`message: ${oneLine((step as FailStep).message)}`],
  },
  [StepKind.TUNE]: {
    label: 'tune',
    shape: NodeShape.FRAMED,
    className: 'tune',
    style: { fill: '#e0f4f1', stroke: '#00796b', text: '#00332b' },
    detail: tuneDetail,
    facts: tuneFacts,
  },
};

/** Tuning steps: the search (algorithm, how many trials, objective) on the node; space and trial in the tooltip. */
function tuneDetail(step: Step): string | undefined {
  return isA(step, TuneStep) ? `${step.algorithm.name} · ${step.maxTrials} trials · ${step.objective}` : undefined;
}

function tuneFacts(step: Step): string[] {
  if (!isA(step, TuneStep)) {
    return [];
  }
  const facts = [
    `${step.algorithm.name} search: ${step.maxTrials} trials, ${step.parallelTrials} at a time${step.seed !== undefined ? `, seed ${step.seed}` : ''}`,
    `objective: ${step.objective}`,
    `space: ${Object.entries(step.space).map(([name, range]) => `${name} ${oneLine(String(range))}`).join(', ')}`,
    `trial: ${step.trial.name} (${step.trial.entry})`,
  ];
  if (step.maxFailedTrials !== undefined) {
    facts.push(`maxFailedTrials: ${step.maxFailedTrials}`);
  }
  if (step.earlyStopping) {
    facts.push('earlyStopping');
  }
  return facts;
}

/** Data read from a URI, drawn as a node of its own. */
export const DATA_NODE = {
  label: 'data',
  shape: NodeShape.PARALLELOGRAM,
  className: 'externalData',
  style: { fill: '#f1f3f5', stroke: '#5f6b7a', text: '#1f2933' },
} as const;

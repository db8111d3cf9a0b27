import { show } from '../../../lib/pipeline/errors';
import { EngineSpecificProps } from './renderer';

/** Why each engine-specific prop belongs to its engine: said when another engine is given it. */
const MEANING: { [prop in keyof EngineSpecificProps]: { engine: string; what: string } } = {
  pipelineName: { engine: 'both', what: '' },
  definitionStorage: { engine: 'Orchestrator.sageMaker()', what: 'where the SageMaker pipeline definition is kept' },
  createModelPackageGroups: { engine: 'Orchestrator.sageMaker()', what: 'the model package groups CloudFormation creates for a SageMaker pipeline' },
  alarmTopic: { engine: 'Orchestrator.sageMaker()', what: "the topic of the EventBridge rule on SageMaker's failed-execution events" },
  alarmEmails: { engine: 'Orchestrator.sageMaker()', what: "the subscribers of the topic of SageMaker's failed-execution events" },
  catchup: { engine: 'Orchestrator.airflow(environment)', what: "Airflow's catchup of missed data intervals" },
  startDate: { engine: 'Orchestrator.airflow(environment)', what: "the first data interval of the Airflow DAG's schedule" },
  maxActiveRuns: { engine: 'Orchestrator.airflow(environment)', what: "the Airflow DAG's max_active_runs" },
};

/**
 * One problem per given prop of `names`, which the engine `engine` cannot take: what the prop
 * means, which orchestrator takes it, and `fix`.
 */
export function foreignPropProblems(engine: string, props: EngineSpecificProps, names: (keyof EngineSpecificProps)[], fix: string): string[] {
  return names.filter((name) => props[name] !== undefined).map((name) => {
    const m = MEANING[name]!;
    return `${name} ${show(props[name])} is given, but ${engine} does not take it: it sets ${m.what}, which only ${m.engine} has; ${fix}`;
  });
}

import { DataSource, ExternalData } from '../../../pipeline/artifacts';
import { isA } from '../../../pipeline/brand';
import { Step } from '../../../pipeline/step';
import { artifactDefinition, artifactType, schemaTitleOf } from '../channels';
import type { KubeflowCompilation, Level } from '../compile';
import { inputPath } from '../executors';
import { componentName, executorLabel, importerTaskName } from '../names';
import { ENGINE_NAME } from '../policies';
import { KubeflowSourceResolver, ResolvedInput } from './resolver';

/** The schemes KFP's launcher downloads input artifacts from (LocalPathForURI). */
const IMPORTABLE = ['s3', 'gs', 'minio'];
const IMPORTER_OUTPUT = 'artifact';

/**
 * Data at a URI, as KFP's dsl.importer: an importer task in the reader's DAG records the URI as
 * an artifact, which the reader's task takes as an input; KFP's launcher downloads it to the
 * input's path. The step pod reads the bucket with the credentials KFP has for it (the pipeline
 * root's, for the same bucket) or those in the pod's environment.
 */
export const URI_SOURCE: KubeflowSourceResolver = {
  resolve(c: KubeflowCompilation, step: Step, input: string, source: DataSource, level: Level): ResolvedInput | undefined {
    if (!isA(source, ExternalData)) {
      c.problems.push(`step '${step.name}': input '${input}' reads ${source}, of kind '${source.sourceKind}' but not external data (ExternalData); ${ENGINE_NAME} reads this kind only from DataSource.fromUri(...)`);
      return undefined;
    }
    if (!IMPORTABLE.includes(source.scheme)) {
      c.problems.push(`step '${step.name}': input '${input}' reads ${source} (scheme '${source.scheme}'), which ${ENGINE_NAME} cannot import: KFP's importer and launcher read only ${IMPORTABLE.map((s) => `${s}://`).join(', ')} URIs; copy the data to a bucket and give its URI, e.g. 's3://my-bucket/data/'`);
      return undefined;
    }
    const task = importerTaskName(c.taskOf(step), input);
    const component = componentName(task);
    const label = executorLabel(task);
    c.names.claimDagTask(level.dag, task, step, false);
    c.names.claimTemplate(component, step);
    const type = artifactType(schemaTitleOf(source.type));
    c.components[component] = {
      executorLabel: label,
      inputDefinitions: { parameters: { uri: { parameterType: 'STRING' } } },
      outputDefinitions: { artifacts: { [IMPORTER_OUTPUT]: { artifactType: type } } },
    };
    c.executors[label] = { importer: { artifactUri: { constant: source.uri }, typeSchema: type } };
    level.extraTasks[task] = {
      taskInfo: { name: task },
      componentRef: { name: component },
      inputs: { parameters: { uri: { runtimeValue: { constant: source.uri } } } },
      cachingOptions: {},
    };
    return {
      definition: artifactDefinition(schemaTitleOf(source.type)),
      binding: { taskOutputArtifact: { producerTask: task, outputArtifactKey: IMPORTER_OUTPUT } },
      path: inputPath(input),
      launcherArguments: [],
      needsExecutorInput: false,
      dependsOn: [task],
    };
  },
};

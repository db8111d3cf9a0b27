import { irisPipeline } from '../../../examples/iris/pipeline';
import { KubeflowDocument } from '../../../lib/compile/kubeflow';
import { FEATURES } from '../../conformance/features';
import { compileForTest, validateKubeflowDocument } from '../../support/kubeflow';

/** The validator must catch what KFP would reject; each case breaks one thing in a valid document. */
const valid = compileForTest(irisPipeline());
const fanOut = compileForTest(FEATURES.find((f) => f.id === 'fan-out')!.build());

function broken(doc: KubeflowDocument, change: (d: any) => void): KubeflowDocument {
  const copy = JSON.parse(JSON.stringify(doc));
  change(copy);
  return copy;
}

test('the unchanged documents are valid', () => {
  expect(validateKubeflowDocument(valid)).toEqual([]);
  expect(validateKubeflowDocument(fanOut)).toEqual([]);
});

describe('schema: unknown fields are rejected wherever they are', () => {
  test('a misspelt field in the pipeline spec', () => {
    const doc = broken(valid, (d) => {
      d.pipelineSpec.root.dag.tasks.train.taskinfo = d.pipelineSpec.root.dag.tasks.train.taskInfo;
    });
    expect(validateKubeflowDocument(doc)).toEqual([
      'pipelineSpec: does not decode as ml_pipelines.PipelineSpec: cannot decode message ml_pipelines.PipelineTaskSpec from JSON: key "taskinfo" is unknown',
    ]);
  });

  test('a misspelt field inside the deployment spec (a Struct in PipelineSpec, decoded again)', () => {
    const doc = broken(valid, (d) => {
      d.pipelineSpec.deploymentSpec.executors['exec-train'].container.comand = ['python3'];
    });
    expect(validateKubeflowDocument(doc)).toEqual([
      expect.stringMatching(/^pipelineSpec\.deploymentSpec: does not decode as ml_pipelines\.PipelineDeploymentConfig: .*key "comand" is unknown/),
    ]);
  });

  test('a misspelt field in an executor config of the platform spec', () => {
    const doc = broken(valid, (d) => {
      d.platformSpec.platforms.kubernetes.deploymentSpec.executors['exec-train'].emptyDirMount = [];
    });
    expect(validateKubeflowDocument(doc)).toEqual([
      expect.stringMatching(/^platformSpec\.platforms\.kubernetes\.deploymentSpec\.executors\['exec-train'\]: does not decode as kfp_kubernetes\.KubernetesExecutorConfig: .*key "emptyDirMount" is unknown/),
    ]);
  });

  test('an enum value the proto does not define', () => {
    const doc = broken(valid, (d) => {
      d.pipelineSpec.root.inputDefinitions.parameters.minAccuracy.parameterType = 'FLOAT';
    });
    expect(validateKubeflowDocument(doc)).toEqual([expect.stringContaining('does not decode as ml_pipelines.PipelineSpec')]);
  });
});

describe('canonical form', () => {
  test('an int64 written as a number', () => {
    const doc = broken(valid, (d) => {
      d.platformSpec.platforms.kubernetes.deploymentSpec.executors['exec-train'].activeDeadlineSeconds = 600;
    });
    expect(validateKubeflowDocument(doc)).toEqual([
      expect.stringContaining(".activeDeadlineSeconds is 600, canonically \"600\""),
    ]);
  });

  test('a default value written out', () => {
    const doc = broken(valid, (d) => {
      d.pipelineSpec.root.dag.tasks.train.cachingOptions.enableCache = false;
    });
    expect(validateKubeflowDocument(doc)).toEqual([
      'pipelineSpec: not canonical proto3 JSON of ml_pipelines.PipelineSpec: pipelineSpec.root.dag.tasks.train.cachingOptions.enableCache is false, canonically undefined',
    ]);
  });
});

describe('meaning', () => {
  const problemsAfter = (change: (d: any) => void, doc: KubeflowDocument = valid) => validateKubeflowDocument(broken(doc, change));

  test('a component reference to nothing', () => {
    expect(problemsAfter((d) => (d.pipelineSpec.root.dag.tasks['accuracy-gate'].componentRef.name = 'comp-missing'))).toEqual([
      "root, task 'accuracy-gate': componentRef 'comp-missing' is not a component",
    ]);
  });

  test('an executor label to nothing, and a platform config for an unknown executor', () => {
    expect(problemsAfter((d) => {
      d.pipelineSpec.components['comp-train'].executorLabel = 'exec-gone';
    })).toEqual([
      "component 'comp-train': executorLabel 'exec-gone' is not in deploymentSpec.executors",
    ]);
    expect(problemsAfter((d) => {
      d.platformSpec.platforms.kubernetes.deploymentSpec.executors['exec-ghost'] = {};
    })).toEqual(["platformSpec.platforms.kubernetes: executor 'exec-ghost' is not in deploymentSpec.executors"]);
  });

  test('a data edge whose producer is not waited for, or has no such output', () => {
    expect(problemsAfter((d) => delete d.pipelineSpec.root.dag.tasks.train.dependentTasks)).toEqual([
      "root, task 'train': reads an output of 'clean' but does not list it in dependentTasks",
    ]);
    expect(problemsAfter((d) => (d.pipelineSpec.root.dag.tasks.train.inputs.artifacts.data.taskOutputArtifact.outputArtifactKey = 'validation'))).toEqual([
      "root, task 'train': reads output artifact 'validation' of 'clean', whose component defines no such output",
    ]);
  });

  test('a sub-DAG input that the sub-DAG does not define', () => {
    expect(problemsAfter((d) => {
      delete d.pipelineSpec.components['comp-accuracy-gate-then'].inputDefinitions.artifacts;
    })).toEqual(expect.arrayContaining([
      "component 'comp-accuracy-gate-then', task 'register': input artifact 'model' reads 'pipelinechannel--train-model', which component 'comp-accuracy-gate-then' does not define as an input artifact",
      "component 'comp-accuracy-gate', task 'accuracy-gate-then': input artifact 'pipelinechannel--train-model' is not defined by component 'comp-accuracy-gate-then'",
    ]));
  });

  test('a required input left unbound', () => {
    expect(problemsAfter((d) => delete d.pipelineSpec.root.dag.tasks.train.inputs.parameters.nEstimators)).toEqual([
      "root, task 'train': does not bind the required input parameter 'nEstimators' of component 'comp-train'",
    ]);
  });

  test('a constant of the wrong type', () => {
    expect(problemsAfter((d) => (d.pipelineSpec.root.dag.tasks.train.inputs.parameters.nEstimators = { runtimeValue: { constant: 2.5 } }))).toEqual([
      "root, task 'train': input parameter 'nEstimators' is the constant 2.5, not an integer",
    ]);
  });

  test('a placeholder for an input the component does not have', () => {
    expect(problemsAfter((d) => d.pipelineSpec.deploymentSpec.executors['exec-train'].container.args.push("{{$.inputs.parameters['seed']}}"))).toEqual([
      "component 'comp-train': placeholder '{{$.inputs.parameters['seed']}}' does not refer to an input or output of the component",
    ]);
  });

  test('a trigger condition that reads a missing input or does not parse', () => {
    const gate = (d: any) => d.pipelineSpec.components['comp-accuracy-gate'].dag.tasks['accuracy-gate-then'];
    expect(problemsAfter((d) => (gate(d).triggerPolicy.condition = "inputs.parameter_values['pipelinechannel--nope'] > 1.0"))).toEqual([
      "component 'comp-accuracy-gate', task 'accuracy-gate-then': trigger condition reads 'pipelinechannel--nope', which is not an input parameter of the task",
    ]);
    expect(problemsAfter((d) => (gate(d).triggerPolicy.condition = 'double(inputs.parameter_values[') )).toEqual([
      expect.stringMatching(/^component 'comp-accuracy-gate', task 'accuracy-gate-then': trigger condition does not parse as CEL: /),
    ]);
  });

  test('a dependency cycle, and a dependency on a task of another DAG', () => {
    expect(problemsAfter((d) => (d.pipelineSpec.root.dag.tasks.extract.dependentTasks = ['train']))).toEqual([
      expect.stringMatching(/^root: dependentTasks form a cycle: /),
    ]);
    expect(problemsAfter((d) => (d.pipelineSpec.root.dag.tasks.extract.dependentTasks = ['register']))).toEqual([
      "root, task 'extract': dependentTasks names 'register', which is not another task of this DAG",
    ]);
  });

  test('schema version and pipeline name as KFP requires', () => {
    expect(problemsAfter((d) => {
      d.pipelineSpec.schemaVersion = '2.0.0';
      d.pipelineSpec.pipelineInfo.name = 'Iris';
    })).toEqual([
      'schemaVersion "2.0.0": KFP accepts only 2.1.0',
      'pipelineInfo.name "Iris": KFP requires ^[a-z0-9][a-z0-9-]{0,127}$',
    ]);
  });

  test('a loop whose item input the body does not define, and an empty item list', () => {
    expect(problemsAfter((d) => {
      d.pipelineSpec.root.dag.tasks.each.parameterIterator = { itemInput: 'pipelinechannel--other', items: { raw: '[]' } };
    }, fanOut)).toEqual([
      "root, task 'each': parameterIterator.itemInput 'pipelinechannel--other' is not an input parameter of component 'comp-each-for-each'",
      "root, task 'each': parameterIterator.items.raw \"[]\" is not a non-empty JSON array",
      "root, task 'each': does not bind the required input parameter 'pipelinechannel--loop-item' of component 'comp-each-for-each'",
    ]);
  });

  test('names Argo rejects', () => {
    expect(problemsAfter((d) => {
      const tasks = d.pipelineSpec.root.dag.tasks;
      tasks.Extract_1 = tasks.extract;
      delete tasks.extract;
      for (const t of Object.values<any>(tasks)) {
        if (t.dependentTasks) {
          t.dependentTasks = t.dependentTasks.map((x: string) => (x === 'extract' ? 'Extract_1' : x));
        }
        for (const input of Object.values<any>(t.inputs?.artifacts ?? {})) {
          if (input.taskOutputArtifact?.producerTask === 'extract') {
            input.taskOutputArtifact.producerTask = 'Extract_1';
          }
        }
      }
    })).toEqual([
      "Argo task 'Extract_1' is not a valid Argo name (letters, digits, '-', starting with a letter or digit, at most 128 chars)",
      "Argo task 'Extract_1-driver' is not a valid Argo name (letters, digits, '-', starting with a letter or digit, at most 128 chars)",
    ]);
  });
});

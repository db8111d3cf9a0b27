/**
 * The cdk8s app (`npm run synth`, or `cdk8s synth` through cdk8s.yaml): writes every Kubernetes
 * example into dist/, one YAML file per chart, for `kubectl apply -f dist/<chart>.k8s.yaml`.
 * Offline and deterministic; the output directory follows CDK8S_OUTDIR when cdk8s sets it.
 */
import { App, YamlOutputType } from 'cdk8s';
import { CanaryEndpointChart } from '../examples/canary-endpoint/k8s';
import { FeatureStoreChart } from '../examples/feature-store/k8s';
import { FeatureSnapshotsChart } from '../examples/feature-snapshots/k8s';
import { IrisArgoChart, IrisKubeflowChart } from '../examples/iris/k8s';
import { GatedDeployArgoChart, GatedDeployKubeflowChart } from '../examples/katib-gated-deploy/k8s';

const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_CHART });
const irisArgo = new IrisArgoChart(app, 'iris-argo');
new IrisKubeflowChart(app, 'iris-kubeflow');
new CanaryEndpointChart(app, 'canary-endpoint', { pipeline: irisArgo.pipeline });
new FeatureStoreChart(app, 'feature-store');
new GatedDeployKubeflowChart(app, 'katib-gated-deploy-kubeflow');
new GatedDeployArgoChart(app, 'katib-gated-deploy-argo', { controller: irisArgo.controller });
new FeatureSnapshotsChart(app, 'feature-snapshots', { controller: irisArgo.controller });
app.synth();

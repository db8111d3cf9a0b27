/**
 * Test harness for AWS stacks (reused by every issue that adds AWS constructs).
 *
 *   const app = testApp();                       // cdk.json's feature flags, built-in validation off
 *   const stack = new MyStack(app, 'S');
 *   const template = templateOf(stack);           // the synthesized template (JSON)
 *   expect(cfnLint({ S: template })).toEqual([]); // one cfn-lint call for many templates
 *   expect(checkSageMakerArguments(sageMakerDefinitions(template))).toEqual([]); // botocore model
 *   expect(nagFindings(appWithNag)).toEqual([]);  // cdk-nag's four packs, unsuppressed findings
 *
 * Keep cdk-nag out of snapshot tests: with findings, synthesis throws.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';

const REPO = path.join(__dirname, '..', '..', '..');

/** The feature flags of the project's cdk.json, so tests synthesize what `cdk synth` does. */
export function cdkContext(): { [key: string]: unknown } {
  return JSON.parse(fs.readFileSync(path.join(REPO, 'cdk.json'), 'utf8')).context;
}

/** The rule-id prefixes of the cdk-nag packs `testApp({ nag: true })` runs. */
export const NAG_PACKS = ['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'];

export interface TestAppOptions {
  /**
   * Run cdk-nag's packs when the app synthesizes: AwsSolutions, HIPAA Security, NIST 800-53 R5 and
   * PCI DSS 3.2.1 (NAG_PACKS). @default false
   */
  readonly nag?: boolean;
}

/**
 * An App for tests: cdk.json's context, a fresh temporary outdir, and aws-cdk-lib's built-in
 * CloudFormation validation off (it costs seconds per process; cfn-lint is the real check).
 */
export function testApp(options: TestAppOptions = {}): App {
  const app = new App({
    context: cdkContext(),
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk.out-mlops-')),
    builtinCloudFormationValidation: false,
  });
  if (options.nag) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app), new NIST80053R5Checks(app), new PCIDSS321Checks(app));
  }
  return app;
}

/** The synthesized CloudFormation template of a stack, as JSON. */
export function templateOf(stack: Stack): any {
  return Template.fromStack(stack).toJSON();
}

export interface CfnLintFinding {
  readonly template: string;
  readonly rule: string;
  readonly level: string;
  readonly message: string;
  readonly path: string;
}

/**
 * Runs cfn-lint once over many templates (it costs ~3 s per call, whatever the count) and returns
 * every finding at `minLevel` or above ('Error' by default; 'Warning' includes warnings).
 */
export function cfnLint(templates: { [name: string]: object }, minLevel: 'Error' | 'Warning' = 'Error'): CfnLintFinding[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-'));
  try {
    const files = Object.entries(templates).map(([name, template]) => {
      const file = path.join(dir, `${name}.template.json`);
      fs.writeFileSync(file, JSON.stringify(template, null, 1));
      return file;
    });
    const run = spawnSync('cfn-lint', ['--format', 'json', '--', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.error) {
      throw new Error(`cfn-lint did not run: ${run.error.message}`);
    }
    const levels = minLevel === 'Error' ? ['Error'] : ['Error', 'Warning'];
    const found: any[] = run.stdout.trim() ? JSON.parse(run.stdout) : [];
    if (found.length === 0 && run.status !== 0) {
      throw new Error(`cfn-lint failed (exit ${run.status}): ${run.stderr}`);
    }
    return found
      .filter((f) => levels.includes(f.Level))
      .map((f) => ({
        template: path.basename(f.Filename, '.template.json'),
        rule: f.Rule.Id,
        level: f.Level,
        message: f.Message,
        path: (f.Location?.Path ?? []).join('/'),
      }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Stands for a deploy-time value when a template's definition is read back as JSON. */
const PLACEHOLDER = 'DEPLOY_TIME_VALUE_000000000000000';

/**
 * The SageMaker pipeline definitions embedded in a template, by logical ID, parsed from their
 * PipelineDefinitionBody. Deploy-time values (Ref, Fn::GetAtt, Fn::FindInMap, ...) inside the
 * JSON text become the string 'DEPLOY_TIME_VALUE_000000000000000' (long enough for ARN minimum lengths). Definitions kept in S3 are not included.
 */
export function sageMakerDefinitions(template: any): { [logicalId: string]: any } {
  const out: { [logicalId: string]: any } = {};
  for (const [id, resource] of Object.entries<any>(template.Resources ?? {})) {
    const body = resource.Type === 'AWS::SageMaker::Pipeline' ? resource.Properties?.PipelineDefinition?.PipelineDefinitionBody : undefined;
    if (body !== undefined) {
      out[id] = JSON.parse(renderText(body));
    }
  }
  return out;
}

function renderText(value: any): string {
  if (typeof value === 'string') {
    return value;
  }
  const join = value?.['Fn::Join'];
  if (join) {
    return join[1].map((part: any) => (typeof part === 'string' ? part : PLACEHOLDER)).join(join[0]);
  }
  return PLACEHOLDER;
}

const CHECKER = path.join(__dirname, 'check_sagemaker_arguments.py');

/**
 * Checks every step's Arguments in the given definitions against botocore's `sagemaker` service
 * model (one Python process for all). Returns the problems found; empty when all are valid.
 */
export function checkSageMakerArguments(definitions: { [name: string]: object }): string[] {
  const output = execFileSync('python3', [CHECKER], { input: JSON.stringify(definitions), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(output);
}

export interface NagFinding {
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
  readonly description: string;
}

/**
 * Synthesizes an app made with `testApp({ nag: true })` and returns the unsuppressed
 * findings of cdk-nag's packs (errors and warnings). Suppress a finding where it belongs, with a reason:
 * `Validations.of(construct).acknowledge({ id: 'AwsSolutions-IAM5', reason: '...' })`.
 */
export function nagFindings(app: App): NagFinding[] {
  try {
    app.synth();
    return [];
  } catch (e) {
    const report = path.join(app.outdir, 'validation-report.json');
    if (!fs.existsSync(report)) {
      throw e;
    }
    const json = JSON.parse(fs.readFileSync(report, 'utf8'));
    return json.pluginReports.flatMap((plugin: any) =>
      plugin.violations.flatMap((v: any) =>
        v.violatingConstructs.map((c: any) => ({ rule: v.ruleName, severity: v.severity, path: c.constructPath, description: v.description })),
      ),
    );
  }
}

import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * cdk-nag reports wildcard resources (AwsSolutions-IAM5) and AWS managed policies
 * (AwsSolutions-IAM4) one finding at a time, e.g. `AwsSolutions-IAM5[Resource::<Bucket.Arn>/p/*]`,
 * and an acknowledgement must name the finding exactly. This computes those names the way
 * cdk-nag does, for the IAM resources under one construct as their policies are now, and
 * acknowledges each with the reason given. Call it once the policies are complete: MlPipeline
 * calls it from its synth-time rendering (see late-render.ts), after its own grants.
 */
export function acknowledgeIamFindings(scope: IConstruct, reasons: { wildcardResources?: string; managedPolicies?: string }): void {
  const visitor = new AcknowledgeIamFindings(reasons);
  scope.node.findAll().forEach((node) => visitor.visit(node));
}

/** The cdk-nag packs whose rules share names (HIPAA Security, NIST 800-53 R5, PCI DSS 3.2.1). */
const COMPLIANCE_PACKS = ['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'];

/**
 * Acknowledges each rule, with its reason, in every compliance pack that has it: `rules` maps a
 * rule name without its pack (`S3BucketReplicationEnabled`) to the reason.
 */
export function acknowledgeComplianceRules(scope: IConstruct, rules: { [rule: string]: string }): void {
  for (const [rule, reason] of Object.entries(rules)) {
    for (const pack of COMPLIANCE_PACKS) {
      Validations.of(scope).acknowledge({ id: `${pack}-${rule}`, reason });
    }
  }
}

/** Why the library's own IAM policies are not customer managed policies (IAMNoInlinePolicy). */
export const OWN_POLICY_REASON = 'This policy belongs to one role the construct made for one pipeline and names only that ' +
  'pipeline\'s resources, so the reuse a managed policy offers does not apply; it is created, updated and rolled back with ' +
  'the stack, and a role takes 10,240 characters of inline policy against 6,144 for one managed policy, which large pipelines need.';

/**
 * The same for statements whose resources are known now (our own policies): no aspect, no
 * resolving of whole policy documents at synth time, just each wildcard resource once.
 */
export function acknowledgeWildcardResources(scope: IConstruct, statements: iam.PolicyStatement[], reason: string): void {
  // A literal '*' shows in the unresolved text too (tokens never contain one): resolve only those,
  // all in one call (each stack.resolve call has a fixed cost).
  const wildcards = [...new Set(statements.flatMap((s) => s.resources).filter((r) => r.includes('*')))];
  const flat = new Set<string>((Stack.of(scope).resolve(wildcards) as unknown[]).map(flatten));
  for (const name of flat) {
    Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${name}]`, reason });
  }
}

class AcknowledgeIamFindings {
  constructor(private readonly reasons: { wildcardResources?: string; managedPolicies?: string }) {}

  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) {
      return;
    }
    const stack = Stack.of(node);
    const documents: any[] = [];
    if (node.cfnResourceType === iam.CfnPolicy.CFN_RESOURCE_TYPE_NAME) {
      documents.push(stack.resolve((node as iam.CfnPolicy).policyDocument));
    }
    if (node.cfnResourceType === iam.CfnRole.CFN_RESOURCE_TYPE_NAME) {
      const role = node as iam.CfnRole;
      for (const policy of stack.resolve(role.policies) ?? []) {
        documents.push(stack.resolve(policy.policyDocument));
      }
      const reason = this.reasons.managedPolicies;
      for (const arn of stack.resolve(role.managedPolicyArns) ?? []) {
        if (reason) {
          Validations.of(node).acknowledge({ id: `AwsSolutions-IAM4[Policy::${flatten(arn)}]`, reason });
        }
      }
    }
    const reason = this.reasons.wildcardResources;
    for (const document of documents) {
      for (const statement of document?.Statement ?? []) {
        if (statement.Effect !== 'Allow' || !reason) {
          continue;
        }
        for (const resource of [statement.Resource].flat()) {
          const flat = flatten(resource);
          if (flat.includes('*')) {
            Validations.of(node).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
          }
        }
        for (const action of [statement.Action].flat()) {
          if (typeof action === 'string' && action.includes('*')) {
            Validations.of(node).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason });
          }
        }
      }
    }
  }
}

/** A CloudFormation value as one string, the way cdk-nag names findings: `<Logical.Attr>`, `<AWS::Region>`. */
function flatten(value: unknown): string {
  if (value === undefined) {
    return '';
  }
  if (typeof value === 'string') {
    return value.replace(/\${/g, '<').replace(/}/g, '>');
  }
  const v = value as any;
  if (v['Fn::Join']) {
    const [delimiter, items] = v['Fn::Join'];
    return items.map(flatten).join(delimiter);
  }
  if (v['Fn::Sub']) {
    return flatten(v['Fn::Sub']);
  }
  if (v['Fn::GetAtt']) {
    const [resource, attribute] = v['Fn::GetAtt'];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (v['Fn::ImportValue']) {
    return flatten(v['Fn::ImportValue']);
  }
  if (v.Ref) {
    return `<${flatten(v.Ref)}>`;
  }
  return JSON.stringify(value);
}

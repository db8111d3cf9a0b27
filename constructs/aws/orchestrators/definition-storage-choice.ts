/** Where the compiled pipeline definition is kept. */
export enum DefinitionStorage {
  /** Inline while it fits the inline budget, else in S3. */
  AUTO = 'auto',
  /** Always in the CloudFormation template; a definition over the inline budget is a synth error. */
  INLINE = 'inline',
  /** Always in the artifact bucket (deployed with the stack, deploy-time values filled in). */
  S3 = 's3',
}

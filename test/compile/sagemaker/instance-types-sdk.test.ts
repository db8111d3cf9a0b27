import * as sdk from '@aws-sdk/client-sagemaker';
import { PROCESSING_INSTANCE_TYPES, TRAINING_INSTANCE_TYPES } from '../../../lib/compile/sagemaker/sdk-instance-types';

// The copied lists must follow the SDK the repository tests against: a new SDK with new types
// fails here, naming what to add or remove in lib/compile/sagemaker/sdk-instance-types.ts.
test.each([
  ['ProcessingInstanceType', PROCESSING_INSTANCE_TYPES, Object.values(sdk.ProcessingInstanceType)],
  ['TrainingInstanceType', TRAINING_INSTANCE_TYPES, Object.values(sdk.TrainingInstanceType)],
])('the copied %s list is the installed SDK enum', (_name, copied, fromSdk) => {
  const missing = fromSdk.filter((t) => !copied.includes(t)).sort();
  const extra = copied.filter((t) => !(fromSdk as string[]).includes(t)).sort();
  expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  expect(new Set(copied).size).toBe(copied.length);
});

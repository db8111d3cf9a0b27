'use strict';
/**
 * Lambda handlers of aws.CanaryEndpoint (plain CommonJS: the nodejs20.x/22.x runtimes ship
 * @aws-sdk/client-sagemaker, so the asset is this folder as is, with no bundling).
 *
 * - `handler`: a CloudFormation custom resource that resolves the newest model package of a group
 *   (ModelApprovalStatus Approved unless ApprovedOnly is 'false') and returns its ARN.
 * - `onApproval`: the target of the EventBridge rule on approvals in that group; it copies the
 *   endpoint's current model and config onto the new package and calls UpdateEndpoint with the
 *   construct's DeploymentConfig, so the approval rolls out through the same guarded rollout.
 */
const { Buffer } = require('buffer');
const https = require('https');
const { URL } = require('url');
const sagemaker = require('@aws-sdk/client-sagemaker');

/** The newest package of `group` (by CreationTime), every page (of pageSize) read; throws when there is none. */
async function latestPackage(client, group, approvedOnly, pageSize = 100) {
  let newest;
  let token;
  do {
    const page = await client.send(new sagemaker.ListModelPackagesCommand({
      ModelPackageGroupName: group,
      ModelApprovalStatus: approvedOnly ? 'Approved' : undefined,
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: pageSize,
      NextToken: token,
    }));
    for (const p of page.ModelPackageSummaryList || []) {
      if (!approvedOnly && p.ModelApprovalStatus === 'Rejected') {
        continue;
      }
      // Ordering is checked here too: a service (or emulator) that ignores SortBy still gives the newest.
      if (!newest || new Date(p.CreationTime) > new Date(newest.CreationTime)) {
        newest = p;
      }
    }
    token = page.NextToken;
  } while (token);
  if (!newest) {
    throw new Error(`model package group '${group}' has no ${approvedOnly ? 'approved ' : ''}model package; ` +
      `${approvedOnly ? 'approve one (UpdateModelPackage ModelApprovalStatus=Approved)' : 'register one'} and deploy again`);
  }
  return newest;
}

function respond(event, status, reason, physicalId, data) {
  const body = JSON.stringify({
    Status: status,
    Reason: reason,
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: data,
  });
  const url = new URL(event.ResponseURL);
  return new Promise((resolve, reject) => {
    const req = https.request({ hostname: url.hostname, path: url.pathname + url.search, method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject);
    req.end(body);
  });
}

/** Custom resource: Create/Update resolve; Delete leaves the package alone. */
async function resolve(event, client) {
  const props = event.ResourceProperties;
  if (event.RequestType === 'Delete') {
    return { physicalId: event.PhysicalResourceId, data: {} };
  }
  const p = await latestPackage(client, props.ModelPackageGroupName, props.ApprovedOnly !== 'false');
  return { physicalId: p.ModelPackageArn, data: { ModelPackageArn: p.ModelPackageArn, ModelPackageVersion: String(p.ModelPackageVersion ?? '') } };
}

exports.handler = async (event) => {
  try {
    const out = await resolve(event, new sagemaker.SageMakerClient({}));
    await respond(event, 'SUCCESS', 'resolved', out.physicalId, out.data);
  } catch (e) {
    await respond(event, 'FAILED', String(e && e.message || e).slice(0, 900), event.PhysicalResourceId || `unresolved-${event.LogicalResourceId}`, {});
  }
};

/** Copies the endpoint's current models and config onto `packageArn` and updates it with `deploymentConfig`. */
async function rollOut(client, endpointName, packageArn, deploymentConfig, suffix) {
  const endpoint = await client.send(new sagemaker.DescribeEndpointCommand({ EndpointName: endpointName }));
  const config = await client.send(new sagemaker.DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }));
  const renamed = {};
  for (const v of config.ProductionVariants) {
    if (renamed[v.ModelName]) {
      continue;
    }
    const model = await client.send(new sagemaker.DescribeModelCommand({ ModelName: v.ModelName }));
    const container = model.PrimaryContainer || {};
    if (!container.ModelPackageName) {
      continue; // a variant on its own artifact keeps its model
    }
    const name = `${v.ModelName.slice(0, 50)}-${suffix}`;
    await client.send(new sagemaker.CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: model.ExecutionRoleArn,
      PrimaryContainer: { ModelPackageName: packageArn, Environment: container.Environment },
      VpcConfig: model.VpcConfig,
      EnableNetworkIsolation: model.EnableNetworkIsolation,
    }));
    renamed[v.ModelName] = name;
  }
  const configName = `${endpoint.EndpointConfigName.slice(0, 50)}-${suffix}`;
  await client.send(new sagemaker.CreateEndpointConfigCommand({
    EndpointConfigName: configName,
    ProductionVariants: config.ProductionVariants.map((v) => ({ ...v, ModelName: renamed[v.ModelName] || v.ModelName })),
    KmsKeyId: config.KmsKeyId,
    DataCaptureConfig: config.DataCaptureConfig,
  }));
  await client.send(new sagemaker.UpdateEndpointCommand({ EndpointName: endpointName, EndpointConfigName: configName, DeploymentConfig: deploymentConfig }));
  return configName;
}

// The event only says that an approval happened: what is rolled out is the group's newest approved
// package, the same answer the custom resource gives, so a re-approved older package does not win.
exports.onApproval = async (_event) => {
  const client = new sagemaker.SageMakerClient({});
  const group = process.env.MODEL_PACKAGE_GROUP;
  const packageArn = (await latestPackage(client, group, process.env.APPROVED_ONLY !== 'false')).ModelPackageArn;
  const suffix = String(Date.now());
  return { endpointConfigName: await rollOut(client, process.env.ENDPOINT_NAME, packageArn, JSON.parse(process.env.DEPLOYMENT_CONFIG), suffix) };
};

exports.latestPackage = latestPackage;
exports.resolve = resolve;
exports.rollOut = rollOut;

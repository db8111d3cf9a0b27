import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * The default network: 2 public subnets (for the NAT gateways) and 2 private subnets in 2 zones,
 * one NAT gateway per zone (as MWAA's own CloudFormation quick start), an S3 gateway endpoint so
 * DAG and requirement reads stay off the NAT, and flow logs to an encrypted, retained log group.
 */
export function defaultVpc(scope: Construct, key: kms.IKey): ec2.Vpc {
  const flowLogs = new logs.LogGroup(scope, 'FlowLogs', {
    encryptionKey: key,
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return new ec2.Vpc(scope, 'Vpc', {
    maxAzs: 2,
    natGateways: 2,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 19 },
    ],
    gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.ALL } },
  });
}

/**
 * The two subnets MWAA runs in: the first private (with egress), else isolated, subnet of each of
 * the first two Availability Zones. Returns fewer than two when the VPC has no such pair.
 */
export function environmentSubnets(vpc: ec2.IVpc): ec2.ISubnet[] {
  const byZone = new Map<string, ec2.ISubnet>();
  for (const subnet of [...vpc.privateSubnets, ...vpc.isolatedSubnets]) {
    if (!byZone.has(subnet.availabilityZone)) {
      byZone.set(subnet.availabilityZone, subnet);
    }
  }
  return [...byZone.values()].slice(0, 2);
}

/** How many private and isolated subnets a VPC has, in how many zones, for the error message. */
export function privateSubnetSummary(vpc: ec2.IVpc): { subnets: number; zones: number } {
  const all = [...vpc.privateSubnets, ...vpc.isolatedSubnets];
  return { subnets: all.length, zones: new Set(all.map((s) => s.availabilityZone)).size };
}

/**
 * The environment's security group: MWAA's components (and the metadata database and web server
 * endpoints it places in these subnets) talk to each other through a self-referencing rule; the
 * only other traffic is HTTPS out, to AWS APIs and package indexes.
 */
export function environmentSecurityGroup(scope: Construct, vpc: ec2.IVpc): ec2.SecurityGroup {
  const group = new ec2.SecurityGroup(scope, 'SecurityGroup', {
    vpc,
    description: `MWAA environment ${scope.node.path}: self-referencing traffic and HTTPS out`,
    allowAllOutbound: false,
  });
  group.addIngressRule(group, ec2.Port.allTraffic(), 'MWAA components within the environment');
  group.addEgressRule(group, ec2.Port.allTraffic(), 'MWAA components within the environment');
  group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs (S3, SQS, CloudWatch, KMS) and package indexes over HTTPS');
  return group;
}

import { Chart, ChartProps, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { FeatureStoreTable, OfflineStore } from '../../constructs/k8s';
import { CUSTOMER_FEATURES } from './features';

/**
 * The same customer features on Kubernetes with Feast: Redis online (password from the Secret
 * 'customers-redis', which you create), Parquet files on a 20 GiB volume offline, materialized
 * every hour, served by a Feast feature server to pods labelled as its clients.
 */
export class FeatureStoreChart extends Chart {
  public readonly customers: FeatureStoreTable;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'ml', ...props });
    this.customers = new FeatureStoreTable(this, 'Customers', {
      recordIdentifier: 'customer_id',
      eventTime: 'event_time',
      features: CUSTOMER_FEATURES,
      online: { ttl: Duration.days(7), redisPassword: { name: 'customers-redis', key: 'password' } },
      offline: OfflineStore.persistentVolume({ size: '20Gi' }),
    });
  }
}

import { FeatureType } from '../../lib';

/** The customer features both clouds store: one row per customer and event time. */
export const CUSTOMER_FEATURES = {
  customer_id: FeatureType.string(),
  event_time: FeatureType.string(),
  tenure_months: FeatureType.integral(),
  monthly_spend: FeatureType.fractional(),
  plan: FeatureType.string(),
};

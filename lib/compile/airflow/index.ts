export { compileAirflow, JOIN_TRIGGER_RULE } from './compile';
export { AIRFLOW_KEY, ENGINE } from './checks';
export * from './options';
export { AIRFLOW_SOURCES } from './sources';
export { airflowSteps } from './steps';
export { DATA_INTERVAL } from './steps/container';

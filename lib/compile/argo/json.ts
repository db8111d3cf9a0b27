export type { Json } from '../../json';
export { dropUndefined, nonEmpty, nonEmptyList as list } from '../../json';

import { eventBridgeSchedule } from '../../../lib/compile/sagemaker';
import { RateUnit, Schedule } from '../../../lib/pipeline';

test.each([
  ['0 3 * * *', 'cron(0 3 * * ? *)'],
  ['*/15 * * * *', 'cron(*/15 * * * ? *)'],
  ['0 0 1 * *', 'cron(0 0 1 * ? *)'],
  ['0 9 * * 1-5', 'cron(0 9 ? * MON-FRI *)'],
  ['0 9 * * 0', 'cron(0 9 ? * SUN *)'],
  ['0 9 * * 7', 'cron(0 9 ? * SUN *)'],
  ['0 9 * * 5-7', 'cron(0 9 ? * SUN,FRI,SAT *)'],
  ['0 9 * * */2', 'cron(0 9 ? * SUN,TUE,THU,SAT *)'],
  ['0 9 * * MON,WED,FRI', 'cron(0 9 ? * MON,WED,FRI *)'],
  ['0 9 * * 1#2', 'cron(0 9 ? * 2#2 *)'],
  ['30 6 1,15 JAN-JUN *', 'cron(30 6 1,15 JAN-JUN ? *)'],
])('cron %s -> %s', (cron, expected) => {
  expect(eventBridgeSchedule(Schedule.cron(cron)).expression).toBe(expected);
});

test('presets and rates, with singular units for 1', () => {
  expect(eventBridgeSchedule(Schedule.daily()).expression).toBe('cron(0 0 * * ? *)');
  expect(eventBridgeSchedule(Schedule.weekly()).expression).toBe('cron(0 0 ? * SUN *)');
  expect(eventBridgeSchedule(Schedule.rate(1, RateUnit.HOURS)).expression).toBe('rate(1 hour)');
  expect(eventBridgeSchedule(Schedule.rate(6, RateUnit.HOURS)).expression).toBe('rate(6 hours)');
  expect(eventBridgeSchedule(Schedule.rate(30, RateUnit.MINUTES)).expression).toBe('rate(30 minutes)');
  expect(eventBridgeSchedule(Schedule.rate(1, RateUnit.DAYS)).expression).toBe('rate(1 day)');
});

test('the time zone carries over', () => {
  expect(eventBridgeSchedule(Schedule.cron('0 3 * * *', { timeZone: 'Europe/Berlin' }))).toEqual({ expression: 'cron(0 3 * * ? *)', timeZone: 'Europe/Berlin' });
});

test('cron restricting both day-of-month and day-of-week cannot run on EventBridge', () => {
  expect(() => eventBridgeSchedule(Schedule.cron('0 3 1 * 1'))).toThrow(
    "Schedule.cron('0 3 1 * 1') cannot run on EventBridge: it restricts both day-of-month ('1') and day-of-week ('1'); standard cron runs when either matches, " +
      "EventBridge cannot express that; restrict only one of them (e.g. '0 3 1 * *' or '0 3 * * 1'), or use two pipelines' schedules",
  );
});

test('a last-weekday (L) day-of-week cannot run on EventBridge', () => {
  expect(() => eventBridgeSchedule(Schedule.cron('0 3 * * 5L'))).toThrow(/cannot run on EventBridge: day-of-week '5L' uses L or # in a way EventBridge cannot express/);
});

import { RateUnit, Schedule } from '../../lib';

test('cron keeps the five fields, upper-cased names', () => {
  const s = Schedule.cron('*/15 2-4 * * mon-fri', { parameters: { minAccuracy: '0.95' } });
  expect(s.cronFields).toEqual({ minute: '*/15', hour: '2-4', dayOfMonth: '*', month: '*', dayOfWeek: 'MON-FRI' });
  expect(s.cronExpression).toBe('*/15 2-4 * * MON-FRI');
  expect(s.timeZone).toBe('UTC');
  expect(s.parameters).toEqual({ minAccuracy: '0.95' });
  expect(s.toString()).toBe('cron(*/15 2-4 * * MON-FRI)');
});

test('presets are cron schedules', () => {
  expect(Schedule.daily().cronExpression).toBe('0 0 * * *');
  expect(Schedule.hourly().cronExpression).toBe('0 * * * *');
  expect(Schedule.weekly().cronExpression).toBe('0 0 * * 0');
  expect(Schedule.monthly().cronExpression).toBe('0 0 1 * *');
});

test('rate schedules', () => {
  const s = Schedule.rate(6, RateUnit.HOURS, { timeZone: 'Europe/Berlin' });
  expect(s.rateInterval).toEqual({ value: 6, unit: RateUnit.HOURS });
  expect(s.cronFields).toBeUndefined();
  expect(s.timeZone).toBe('Europe/Berlin');
  expect(s.toString()).toBe('rate(6 hours)');
});

test.each([
  ['0 3 * *', /Schedule.cron: '0 3 \* \*' has 4 fields, standard cron has 5; write 5 fields: minute hour day-of-month month day-of-week/],
  ['0 0 3 * * *', /has 6 fields, standard cron has 5/],
  ['61 * * * *', /Schedule.cron: '61 \* \* \* \*' does not parse \(Constraint error, got value 61 expected range 0-59\); write 5 fields/],
  ['0 0 * * funday', /does not parse/],
  ['', /has 0 fields/],
])('a cron expression that does not parse: %j', (expression, message) => {
  expect(() => Schedule.cron(expression)).toThrow(message);
});

test('a bad rate or time zone', () => {
  expect(() => Schedule.rate(0, RateUnit.DAYS)).toThrow('Schedule.rate: 0 days is invalid (allowed: a whole number >= 1); e.g. Schedule.rate(6, RateUnit.HOURS)');
  expect(() => Schedule.daily({ timeZone: 'Mars/Olympus' })).toThrow("Schedule: time zone 'Mars/Olympus' is not an IANA time zone; use e.g. 'UTC' or 'Europe/Berlin'");
});

import { show } from './errors';
import { ValueRule } from './rules';

/**
 * Time zones are read by name from the tz database where the schedule runs (Go's
 * time.LoadLocation for Argo and Kubernetes CronJobs, EventBridge Scheduler, Airflow's
 * pendulum), and on Linux that is a file lookup under /usr/share/zoneinfo: case-sensitive.
 * `Intl` matches names case-insensitively, so it alone would let 'europe/paris' through.
 */
export const TIME_ZONE_RULE: ValueRule = {
  what: 'time zone',
  allowed: "an IANA tz database name, spelled exactly (case-sensitive), e.g. 'UTC', 'Europe/Paris', 'America/New_York', 'Etc/GMT+5'",
  source: 'IANA tz database (zone1970.tab, backward); Go time.LoadLocation reads zoneinfo files by exact name',
};

/** Names the tz database has besides the canonical zones `Intl.supportedValuesOf` lists. */
const ETC_ZONES = [
  'UTC', 'GMT', 'Etc/UTC', 'Etc/GMT', 'Etc/UCT', 'Etc/Universal', 'Etc/Zulu', 'Etc/Greenwich', 'Etc/GMT0', 'Etc/GMT+0', 'Etc/GMT-0',
  ...Array.from({ length: 12 }, (_, i) => `Etc/GMT+${i + 1}`),
  ...Array.from({ length: 14 }, (_, i) => `Etc/GMT-${i + 1}`),
  ...['Alaska', 'Aleutian', 'Arizona', 'Central', 'East-Indiana', 'Eastern', 'Hawaii', 'Indiana-Starke', 'Michigan', 'Mountain', 'Pacific', 'Samoa'].map((z) => `US/${z}`),
];

let known: Map<string, string> | undefined;

/** Every exact name we know, keyed by its lower case. */
function knownZones(): Map<string, string> {
  if (!known) {
    const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
    const canonical = typeof intl.supportedValuesOf === 'function' ? intl.supportedValuesOf('timeZone') : [];
    known = new Map([...canonical, ...ETC_ZONES].map((z) => [z.toLowerCase(), z]));
  }
  return known;
}

function intlAccepts(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** tz names capitalise every path component ('America/Port-au-Prince', 'US/Eastern', 'EST5EDT'). */
function capitalised(zone: string): boolean {
  return zone.split('/').every((part) => /^[A-Z]/.test(part));
}

function guessCase(zone: string): string {
  return zone.split('/').map((part) => part.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join('_')).join('/');
}

/**
 * The problem of a time zone name, or undefined. `what` starts the message (e.g. "Schedule:
 * time zone"). A name in the wrong case gets the exact name as the fix.
 */
export function timeZoneProblem(what: string, zone: unknown): string | undefined {
  const example = "use e.g. 'UTC' or 'Europe/Berlin'";
  if (typeof zone !== 'string' || !intlAccepts(zone)) {
    return `${what} ${show(zone)} is not an IANA time zone; ${example}`;
  }
  const exact = knownZones().get(zone.toLowerCase());
  if (exact === zone || (exact === undefined && capitalised(zone))) {
    return undefined;
  }
  const fix = exact !== undefined ? `write ${show(exact)}` : `write it as the tz database spells it, probably ${show(guessCase(zone))}`;
  return `${what} ${show(zone)} is not spelled as in the tz database (allowed: ${TIME_ZONE_RULE.allowed}); schedulers look names up case-sensitively, ${fix}`;
}

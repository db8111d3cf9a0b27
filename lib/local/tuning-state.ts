import * as path from 'path';
import { readJsonFile, writeJsonAtomic } from './atomic';
import { TrialValues } from './tuning-search';

export const TRIALS_FORMAT = 'mlops-local-trials/1';
/** The trials summary, in the tuning step's directory (steps/<step>/trials.json). */
export const TRIALS_FILE = 'trials.json';

export type TrialStatus = 'pending' | 'running' | 'succeeded' | 'failed';

/** One trial: its values, how it went, and its objective value once it succeeded. */
export interface TrialRecord {
  /** 1-based; its directory is trials/<trial>/. */
  trial: number;
  params: TrialValues;
  status: TrialStatus;
  /** The objective metric's value (succeeded trials). */
  metric?: number;
  attempts: number;
  error?: string;
  /** The last log lines of a failed trial's last attempt. */
  logTail?: string[];
  /** When this start of the trial began and when it ended (ISO 8601). */
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  /** The trial's process (its group leader) while it runs, so a resume can stop an orphan. */
  pid?: number;
}

/** trials.json: the whole search, written before the first trial starts and after every change. */
export interface TrialsFile {
  format: string;
  step: string;
  algorithm: string;
  /** The random search's seed: the step's own, or one drawn for this run. */
  seed?: number;
  objective: { goal: string; metric: string };
  /** The best trial's number, once one succeeded. */
  best?: number;
  trials: TrialRecord[];
}

export function trialsFile(stepDir: string): string {
  return path.join(stepDir, TRIALS_FILE);
}

export function saveTrials(stepDir: string, file: TrialsFile): void {
  writeJsonAtomic(trialsFile(stepDir), file);
}

/**
 * The trials of an earlier start of this step in this run (a resume), when the file is there and
 * is one of this step's; undefined otherwise. The caller checks that its trials are the ones the
 * search plans now (same values in the same order).
 */
export function loadTrials(stepDir: string, step: string): TrialsFile | undefined {
  let value: unknown;
  try {
    value = readJsonFile(trialsFile(stepDir));
  } catch {
    return undefined;
  }
  const file = value as TrialsFile | undefined;
  if (!file || typeof file !== 'object' || file.format !== TRIALS_FORMAT || file.step !== step || !Array.isArray(file.trials)) {
    return undefined;
  }
  const statuses = ['pending', 'running', 'succeeded', 'failed'];
  const fits = file.trials.every((t, i) => t && t.trial === i + 1 && t.params && typeof t.params === 'object' && statuses.includes(t.status) && Number.isSafeInteger(t.attempts));
  return fits ? file : undefined;
}

import * as fs from 'fs';
import { readJsonFile } from './atomic';

/** Who holds a lock: a process, told apart from a later one that reuses its pid by its start time. */
export interface LockOwner {
  readonly pid: number;
  /** Start time of the process in clock ticks since boot (Linux), when known. */
  readonly startTicks?: number;
  readonly purpose: string;
  readonly since: string;
}

/** Fields 3 and on of /proc/<pid>/stat (Linux); undefined elsewhere or when the process is gone. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The start time of a process in clock ticks since boot (field 22), when known. */
export function processStartTicks(pid: number): number | undefined {
  const ticks = Number(procStat(pid)?.[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

export function isAlive(owner: Pick<LockOwner, 'pid' | 'startTicks'>): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') {
      return false;
    }
  }
  const stat = procStat(owner.pid);
  if (stat?.[0] === 'Z') {
    return false; // dead, not yet reaped
  }
  const ticks = processStartTicks(owner.pid);
  return owner.startTicks === undefined || ticks === undefined || ticks === owner.startTicks;
}

/**
 * An exclusive lock file (created with O_EXCL). A lock whose owner is dead (a SIGKILLed runner)
 * is taken over. Returns the live owner instead when someone else holds it.
 */
export function tryLock(file: string, purpose: string): { release: () => void } | { heldBy: LockOwner } {
  const me: LockOwner = { pid: process.pid, startTicks: processStartTicks(process.pid), purpose, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, JSON.stringify(me));
      fs.closeSync(fd);
      return {
        release: () => {
          try {
            fs.unlinkSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw e;
      }
    }
    let owner: LockOwner | undefined;
    try {
      owner = readJsonFile(file) as LockOwner | undefined;
    } catch {
      owner = undefined; // half-written by an owner that died at once
    }
    if (owner && typeof owner.pid === 'number' && isAlive(owner)) {
      return { heldBy: owner };
    }
    try {
      fs.unlinkSync(file);
    } catch {
      // someone else cleared it first
    }
  }
  throw new Error(`could not take the lock ${file}`);
}

/** Waits (polling) until the lock is free, then takes it. */
export async function lock(file: string, purpose: string, onWait?: (owner: LockOwner) => void, pollMs = 250): Promise<() => void> {
  let told = false;
  for (;;) {
    const got = tryLock(file, purpose);
    if ('release' in got) {
      return got.release;
    }
    if (!told) {
      onWait?.(got.heldBy);
      told = true;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

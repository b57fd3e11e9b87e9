import fs from 'node:fs';

/** The middle value of a bench's rounds (the upper middle one of an even count). */
export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The fields of a /proc stat line (a process's or a thread's) from the third (state) on: utime is [11], stime [12], cutime [13], cstime [14], in USER_HZ (100) ticks. */
function statFields(statPath: string): string[] {
  const stat = fs.readFileSync(statPath, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The CPU time so far (user + system) of the process or thread whose /proc stat file this is, in ms. */
export function statCpuMs(statPath: string): number {
  const fields = statFields(statPath);
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A process's CPU time so far (user + system, all its threads), in ms. */
export const cpuMs = (pid: number): number => statCpuMs(`/proc/${pid}/stat`);

/**
 * The CPU time so far of every PostgreSQL process on this machine (the bench's database is the
 * only busy one), in ms, with that of the ones that ended: the postmaster counts its reaped
 * children (a closed connection's backend, an autovacuum worker), so the total never goes down.
 */
export function postgresCpuMs(): number {
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
      const fields = statFields(`/proc/${entry}/stat`);
      total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 10;
    } catch {
      // The process ended meanwhile (its time is its parent's now).
    }
  }
  return total;
}

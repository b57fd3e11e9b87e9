/**
 * The bare nodemailer pool loop (bench-mail.ts, bareLoop) in a process of its own, as the engine
 * has one, with the server's node options: server-send.ts and bare-beside-load.ts run it.
 */
import { spawn } from 'node:child_process';
import { bareLoop } from './bench-mail';
import { SERVER_FLAGS } from './bench-server';

/** Sends `count` messages to `smtpUrl` in a child process; its time (s) and the loop's CPU time (ms). */
export async function bareRun(smtpUrl: string, count: number): Promise<{ seconds: number; cpuMs: number }> {
  const child = spawn(process.execPath, [...SERVER_FLAGS, __filename, smtpUrl, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the bare loop exited with ${code}`);
  // Its answer is the last line (node options such as --trace-gc print before it).
  return JSON.parse(output.trim().split('\n').pop()!) as { seconds: number; cpuMs: number };
}

if (require.main === module) {
  const startUsage = process.cpuUsage();
  bareLoop(process.argv[2], Number(process.argv[3]))
    .then((run) => {
      // The loop's CPU time, not the process's start.
      const usage = process.cpuUsage(startUsage);
      process.stdout.write(JSON.stringify({ ...run, cpuMs: (usage.user + usage.system) / 1000 }));
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}

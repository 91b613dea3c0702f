// `flowtune run -- <command>`: runs a program wired to the daemon, records the run, prints one summary
// line, and passes the program's exit code through.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { TOKEN_HEADER } from '../server/requestGuard';
import { daemonUrl, findOrStartDaemon, runEnvironment } from './workspace';

export interface RunCommandOptions {
  dataDir: string;
  name?: string;
  upstream?: string;
  /** Where the summary line goes (stderr by default, so the program's stdout stays clean for pipes). */
  report?: (line: string) => void;
}

export async function runCommand(argv: string[], options: RunCommandOptions): Promise<number> {
  if (argv.length === 0) throw new Error('nothing to run: use `flowtune run -- <command> [args…]`');
  const report = options.report ?? ((line: string) => process.stderr.write(line + '\n'));
  const info = await findOrStartDaemon(options.dataDir, { upstream: options.upstream });
  const runId = randomUUID();
  const startedAt = Date.now();
  const command = argv.join(' ');
  const post = async (body: Record<string, unknown>) => {
    const response = await fetch(`${daemonUrl(info)}/v1/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TOKEN_HEADER]: info.token },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`daemon refused the run record: ${response.status} ${await response.text()}`);
  };
  await post({ id: runId, name: options.name ?? argv[0], command, started_at: startedAt });

  const exitCode = await new Promise<number>((resolve) => {
    const child = spawn(argv[0], argv.slice(1), {
      stdio: 'inherit',
      env: { ...process.env, ...runEnvironment(info, runId) },
    });
    child.on('error', (error) => {
      report(`flowtune: cannot start ${argv[0]}: ${error.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + signalNumber(signal) : 1)));
  });

  try {
    await post({ id: runId, name: options.name ?? argv[0], command, started_at: startedAt, ended_at: Date.now(), exit_code: exitCode });
    const response = await fetch(`${daemonUrl(info)}/v1/runs/${encodeURIComponent(runId)}/summary`, {
      headers: { [TOKEN_HEADER]: info.token },
    });
    const summary = (await response.json()) as { calls: number; inputTokens: number; outputTokens: number; costUsd: number; errors: number };
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    report(
      `flowtune: run ${runId.slice(0, 8)} exit ${exitCode} in ${seconds}s — ${summary.calls} calls` +
        `${summary.errors ? ` (${summary.errors} failed)` : ''}, ${summary.inputTokens + summary.outputTokens} tokens` +
        ` (${summary.inputTokens} in / ${summary.outputTokens} out), $${summary.costUsd.toFixed(6)}`,
    );
  } catch (error) {
    report(`flowtune: run finished with exit ${exitCode}, but the daemon could not summarise it: ${(error as Error).message}`);
  }
  return exitCode;
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal] ?? 1;
}

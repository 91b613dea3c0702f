#!/usr/bin/env node
// usage: node scripts/with-time-limit.mjs LAYER SECONDS -- COMMAND [ARGS...]
// Runs COMMAND in its own process group and gives it SECONDS to finish. When the time runs out the
// whole group gets SIGTERM, then SIGKILL ten seconds later, a summary line "LAYER: 0 passed, 1 failed"
// is printed (so a layer that hangs still reports like one that fails) and the exit code is 124, as
// coreutils' timeout. Written in Node rather than `timeout` so it also runs where coreutils is absent.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const [layer, secondsText, dashes, command, ...args] = process.argv.slice(2);
const seconds = Number(secondsText);
if (!layer || !Number.isFinite(seconds) || seconds <= 0 || dashes !== '--' || !command) {
  console.error('usage: node scripts/with-time-limit.mjs LAYER SECONDS -- COMMAND [ARGS...]');
  process.exit(2);
}

const child = spawn(command, args, { stdio: 'inherit', detached: process.platform !== 'win32' });
let timedOut = false;
const signalGroup = (signal) => {
  try {
    if (process.platform === 'win32') child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    // the group is already gone
  }
};
const timer = setTimeout(() => {
  timedOut = true;
  console.error(`${layer}: time limit of ${seconds} s reached; stopping it (raise it with the number in package.json's script)`);
  signalGroup('SIGTERM');
  setTimeout(() => signalGroup('SIGKILL'), 10_000).unref();
}, seconds * 1000);
// Ctrl-C or a CI cancel reaches this process only (the child has its own group): pass it on.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => signalGroup(signal));

child.on('error', (error) => {
  clearTimeout(timer);
  console.error(`${layer}: cannot start ${command}: ${error.message}`);
  console.log(`${layer}: 0 passed, 1 failed`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  clearTimeout(timer);
  // Whatever the command left running in its group (a browser, a server) goes with it.
  signalGroup('SIGKILL');
  if (timedOut) {
    console.log(`${layer}: 0 passed, 1 failed (timed out after ${seconds} s)`);
    process.exit(124);
  }
  process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
});

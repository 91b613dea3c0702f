// The daemon's log in an output channel: follows `.flowtune/daemon.log` from where it was when the
// window opened (the last lines first), across daemon restarts and truncation.
import * as fs from 'node:fs';
import type * as vscode from 'vscode';

const POLL_MS = 1000;
const BACKLOG_BYTES = 8 * 1024;

export class DaemonLogTail implements vscode.Disposable {
  private offset: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly file: string,
    private readonly channel: vscode.OutputChannel,
  ) {
    this.offset = Math.max(0, this.size() - BACKLOG_BYTES);
    this.timer = setInterval(() => this.poll(), POLL_MS);
    this.poll();
  }

  private size(): number {
    try {
      return fs.statSync(this.file).size;
    } catch {
      return 0;
    }
  }

  private poll(): void {
    const size = this.size();
    if (size < this.offset) this.offset = 0; // truncated or replaced
    if (size === this.offset) return;
    let fd: number | null = null;
    try {
      fd = fs.openSync(this.file, 'r');
      const buffer = Buffer.alloc(Math.min(size - this.offset, 1024 * 1024));
      const read = fs.readSync(fd, buffer, 0, buffer.length, this.offset);
      const text = buffer.subarray(0, read).toString('utf8');
      const complete = text.lastIndexOf('\n') + 1; // only whole lines
      if (complete > 0) {
        this.channel.append(text.slice(0, complete));
        this.offset += Buffer.byteLength(text.slice(0, complete));
      }
    } catch {
      // the file comes and goes with the daemon
    } finally {
      if (fd !== null) fs.closeSync(fd);
    }
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}

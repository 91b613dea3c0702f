// A one-line progress bar for the CLI on stderr (redrawn in place on a terminal, plain lines otherwise).

export interface ProgressBar {
  update(label: string, done: number, total: number): void;
  done(message?: string): void;
}

export function progressBar(stream: NodeJS.WriteStream = process.stderr, width = 28): ProgressBar {
  const tty = stream.isTTY === true;
  let lastLine = '';
  return {
    update(label, done, total) {
      const share = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
      const filled = Math.round(share * width);
      const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}% ${label}`.slice(0, 160);
      if (line === lastLine) return;
      lastLine = line;
      if (tty) stream.write(`\r\x1b[2K${line}`);
      else stream.write(`${line}\n`);
    },
    done(message) {
      if (tty && lastLine) stream.write('\r\x1b[2K');
      if (message) stream.write(`${message}\n`);
      lastLine = '';
    },
  };
}

// Applies the storage setting for prompt and output text: full, hashed, or dropped.
import { createHash } from 'node:crypto';
import type { ContentMode } from './records';

export function applyContentMode(text: string | null | undefined, mode: ContentMode): string | null {
  if (text === null || text === undefined) return null;
  switch (mode) {
    case 'full':
      return text;
    case 'hash':
      return 'sha256:' + createHash('sha256').update(text).digest('hex');
    case 'none':
      return null;
  }
}

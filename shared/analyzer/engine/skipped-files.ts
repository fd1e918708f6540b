import * as path from 'node:path';
import { scanImportSpecifiers } from '../project/import-scan';
import type { Finding } from '../types';

/** For files too large to parse: does the file import a cache library itself? */
export function couldReachCache(text: string, gatingSpecifiers: ReadonlySet<string>): boolean {
  return scanImportSpecifiers(text).some((specifier) => gatingSpecifiers.has(specifier)) || text.includes('CACHE_MANAGER');
}

/** A finding about the linter's input: a file it had to skip, so the user knows it was not checked. */
export function skippedFinding(filePath: string, message: string): Finding {
  return {
    ruleId: 'file-skipped',
    severity: 'error',
    messageId: 'fileSkipped',
    message,
    filePath,
    range: [0, 0],
    location: { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } },
    fingerprint: `file-skipped:${path.basename(filePath)}`,
    fatal: true,
  };
}

export function tooLargeMessage(size: number, maxFileSize: number): string {
  return `File skipped: ${formatBytes(size)} exceeds maxFileSize (${formatBytes(maxFileSize)}) and imports a cache client; raise "maxFileSize" in the configuration to lint it.`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

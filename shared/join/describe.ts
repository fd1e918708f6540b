import * as path from 'node:path';
import { formatBytes } from '../inspector/format-text';
import { escapeBytes, RenderedName, renderNameForTerminal } from '../inspector/key-names';
import { formatSeconds, LiveFigures } from './join';

/** Wording shared by the terminal and HTML renderings of the join; callers escape for their medium. */

export function liveText(live: LiveFigures): string {
  if (live.keys === 0) return 'no keys';
  const ttl = live.maxTtlSeconds === null ? '' : `, remaining TTL max ${formatSeconds(live.maxTtlSeconds)} / median ${formatSeconds(live.p50TtlSeconds ?? 0)}`;
  return `${live.keys} keys, ${live.noTtlKeys} without TTL, ${formatBytes(live.memoryBytes)}${ttl}`;
}

/** Paths relative to the project (URIs as they are), so reports read the same on every machine. */
export function displayPath(file: string, root: string | undefined): string {
  if (!root || /^[a-z][a-z0-9+.-]*:\/\//i.test(file)) return file;
  return path.relative(root, file).split(path.sep).join('/');
}

/** A key prefix as printable text, from its exact bytes. */
export function printableName(name: RenderedName): string {
  return name.base64 !== undefined ? escapeBytes(Buffer.from(name.base64, 'base64')) : renderNameForTerminal(Buffer.from(name.text, 'utf8'));
}

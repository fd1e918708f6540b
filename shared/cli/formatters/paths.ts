import * as path from 'path';

/**
 * Picks path semantics from the shape of the lint root rather than from the running platform, so
 * Windows paths handed over by another process (or written in tests) are split on their own rules.
 */
export function pathApiFor(cwd: string): path.PlatformPath {
  return isWindowsPath(cwd) ? path.win32 : path.posix;
}

function isWindowsPath(p: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

/** Path of `filePath` relative to `cwd` with the platform's own separators, for people to read. */
export function displayPath(cwd: string, filePath: string): string {
  const api = pathApiFor(cwd);
  const relative = api.relative(cwd, filePath);
  return relative === '' ? api.basename(filePath) : relative;
}

/**
 * Path of `filePath` relative to `cwd` with forward slashes, the form machine-read outputs and
 * baselines use so they are identical on every platform. A file on another Windows drive has no
 * relative path; its absolute path is returned, also with forward slashes.
 */
export function portableRelativePath(cwd: string, filePath: string): string {
  const api = pathApiFor(cwd);
  const relative = api.relative(cwd, filePath);
  const portable = api === path.win32 ? relative.split('\\').join('/') : relative;
  return portable === '' ? api.basename(filePath) : portable;
}

/** True when a portable relative path leaves the lint root (or could not be made relative at all). */
export function isOutsideRoot(portablePath: string): boolean {
  return portablePath === '..' || portablePath.startsWith('../') || /^[A-Za-z]:\//.test(portablePath) || portablePath.startsWith('/') || portablePath.startsWith('//');
}

/** Percent-encodes every segment of a forward-slash path (RFC 3986: spaces, non-ASCII as UTF-8, reserved characters). */
export function encodeUriPath(portablePath: string): string {
  return portablePath.split('/').map(encodeURIComponent).join('/');
}

/** An absolute `file:` URI for an absolute POSIX or Windows path (drive letters and UNC shares included). */
export function fileUri(absolutePath: string): string {
  if (absolutePath.startsWith('\\\\') || absolutePath.startsWith('//')) {
    const [host = '', ...rest] = absolutePath.replace(/\\/g, '/').slice(2).split('/');
    return `file://${encodeURIComponent(host)}/${encodeUriPath(rest.join('/'))}`;
  }
  const driveMatch = /^([A-Za-z]):[\\/]/.exec(absolutePath);
  if (driveMatch) {
    const rest = absolutePath.slice(3).replace(/\\/g, '/');
    return `file:///${driveMatch[1]}:/${encodeUriPath(rest)}`;
  }
  return `file://${encodeUriPath(absolutePath)}`;
}

/** A `file:` URI for a directory; SARIF requires base URIs to end with a slash. */
export function directoryUri(absolutePath: string): string {
  const uri = fileUri(absolutePath);
  return uri.endsWith('/') ? uri : `${uri}/`;
}

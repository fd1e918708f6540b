import { describe, expect, it } from 'vitest';
import { directoryUri, displayPath, fileUri, isOutsideRoot, portableRelativePath } from './paths';

describe('fileUri', () => {
  it('builds file URIs for POSIX, drive-letter and UNC paths', () => {
    expect(fileUri('/srv/my app/ä.ts')).toBe('file:///srv/my%20app/%C3%A4.ts');
    expect(fileUri('C:\\Users\\dev\\a b.ts')).toBe('file:///C:/Users/dev/a%20b.ts');
    expect(fileUri('\\\\build-host\\share\\src\\x.ts')).toBe('file://build-host/share/src/x.ts');
  });

  it('ends directory URIs with exactly one slash', () => {
    expect(directoryUri('/srv/app')).toBe('file:///srv/app/');
    expect(directoryUri('/')).toBe('file:///');
    expect(directoryUri('C:\\')).toBe('file:///C:/');
  });
});

describe('relative paths', () => {
  it('keeps native separators for display and forward slashes for machines', () => {
    expect(displayPath('C:\\app', 'C:\\app\\src\\a.ts')).toBe('src\\a.ts');
    expect(portableRelativePath('C:\\app', 'C:\\app\\src\\a.ts')).toBe('src/a.ts');
    expect(portableRelativePath('/app', '/app/src/a.ts')).toBe('src/a.ts');
  });

  it('tells paths that leave the root apart from ones that stay in it', () => {
    expect(isOutsideRoot(portableRelativePath('/app', '/lib/a.ts'))).toBe(true);
    expect(isOutsideRoot(portableRelativePath('C:\\app', 'D:\\lib\\a.ts'))).toBe(true);
    expect(isOutsideRoot(portableRelativePath('/app', '/app/..hidden/a.ts'))).toBe(false);
    expect(isOutsideRoot(portableRelativePath('/app', '/app/src/a.ts'))).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { applyFixes } from './apply-fixes';
import { disableForFileFix, disableForLineFix } from './disable-comments';

const apply = (text: string, fix: ReturnType<typeof disableForLineFix>) => applyFixes(text, [fix]).output;

describe('disable comments', () => {
  it('adds a next-line directive indented like the flagged line', () => {
    const text = 'async function f() {\n    await redis.keys("*");\n}\n';
    expect(apply(text, disableForLineFix(text, 'no-keys-command', 2))).toBe(
      'async function f() {\n    // cachescope-disable-next-line no-keys-command\n    await redis.keys("*");\n}\n',
    );
  });

  it('extends a directive already above the line, keeping its reason', () => {
    const text = '// cachescope-disable-next-line require-ttl -- session store\nredis.set(k, v);\n';
    expect(apply(text, disableForLineFix(text, 'require-ttl-jitter', 2))).toBe(
      '// cachescope-disable-next-line require-ttl, require-ttl-jitter -- session store\nredis.set(k, v);\n',
    );
  });

  it('leaves a directive that already names the rule alone', () => {
    const text = '// cachescope-disable-next-line require-ttl\nredis.set(k, v);\n';
    expect(apply(text, disableForLineFix(text, 'require-ttl', 2))).toBe(text);
  });

  it('adds a file directive at the top, after a shebang, and extends an existing one', () => {
    expect(apply('import x from "y";\n', disableForFileFix('import x from "y";\n', 'require-ttl'))).toBe('/* cachescope-disable require-ttl */\nimport x from "y";\n');
    const shebang = '#!/usr/bin/env node\nrun();\n';
    expect(apply(shebang, disableForFileFix(shebang, 'no-keys-command'))).toBe('#!/usr/bin/env node\n/* cachescope-disable no-keys-command */\nrun();\n');
    const existing = '/* cachescope-disable require-ttl */\nrun();\n';
    expect(apply(existing, disableForFileFix(existing, 'no-keys-command'))).toBe('/* cachescope-disable require-ttl, no-keys-command */\nrun();\n');
  });

  it('keeps CRLF line endings', () => {
    const text = 'a();\r\n  redis.keys("*");\r\n';
    expect(apply(text, disableForLineFix(text, 'no-keys-command', 2))).toBe('a();\r\n  // cachescope-disable-next-line no-keys-command\r\n  redis.keys("*");\r\n');
  });
});

import { describe, expect, it } from 'vitest';
import { scanImportSpecifiers } from './import-scan';

describe('scanImportSpecifiers', () => {
  it('finds ESM, CommonJS, dynamic and re-export specifiers', () => {
    const text = [
      "import Redis from 'ioredis';",
      'import { createClient } from "redis";',
      "import type { Cache } from 'cache-manager';",
      "import './side-effect';",
      "const Keyv = require('keyv');",
      "const lazy = await import('@upstash/redis');",
      "export * from '../cache/redis';",
      "export { redis } from './client';",
    ].join('\n');
    expect(scanImportSpecifiers(text).sort()).toEqual(
      ['../cache/redis', './client', './side-effect', '@upstash/redis', 'cache-manager', 'ioredis', 'keyv', 'redis'].sort(),
    );
  });

  it('finds nothing in a file without imports', () => {
    expect(scanImportSpecifiers('const keys = Object.keys(map);\nmap.set("a", 1);')).toEqual([]);
  });
});

import { runRuleTests } from '../testing/rule-tester';
import { noKeysCommand } from './no-keys-command';

const ioredis = "import Redis from 'ioredis';\nconst redis = new Redis();\n";

runRuleTests(noKeysCommand, {
  valid: [
    // Look-alikes: not cache clients.
    'const map = new Map<string, number>();\nfor (const key of map.keys()) console.log(key);',
    'const obj = { a: 1 };\nconsole.log(Object.keys(obj));',
    'class Lru { keys() { return []; } }\nconst lru = new Lru();\nlru.keys();',
    'const redis = { keys: (p: string) => [p] };\nredis.keys("*");',
    // SCAN-based iteration is the right way.
    `${ioredis}redis.scanStream({ match: 'user:*' });`,
    // KEYS[1] in Lua is the key argument, not the KEYS command.
    `${ioredis}redis.eval("return redis.call('GET', KEYS[1])", 1, 'k');`,
    // A local object named like a client, shadowing the import.
    `${ioredis}function f(redis: { keys(): string[] }) { return redis.keys(); }`,
    { name: 'cache-manager has no KEYS command', code: "import { createCache } from 'cache-manager';\nconst cache = createCache();\n(cache as any).keys?.();" },
  ],
  invalid: [
    {
      code: `${ioredis}export async function all() {\n  return redis.keys('user:*');\n}\n`,
      errors: [
        {
          messageId: 'keysCommand',
          line: 4,
          column: 16,
          endColumn: 20,
          suggestions: [
            `${ioredis}export async function all() {\n  return (async () => { const keys = new Set<string>(); for await (const batch of redis.scanStream({ match: 'user:*', count: 1000 })) for (const key of batch as string[]) keys.add(key); return [...keys]; })();\n}\n`,
          ],
        },
      ],
    },
    { code: `${ioredis}redis.KEYS('*');`, errors: [{ messageId: 'keysCommand', line: 3, column: 7 }] },
    { code: `${ioredis}redis.call('KEYS', 'session:*');`, errors: [{ messageId: 'keysCommand', line: 3, column: 12 }] },
    { code: `${ioredis}redis.pipeline().keys('a:*').exec();`, errors: [{ messageId: 'keysCommand', line: 3, column: 18 }] },
    {
      name: 'node-redis sendCommand and camelCase client',
      code: "import { createClient } from 'redis';\nconst client = createClient();\nclient.sendCommand(['KEYS', 'x:*']);\nclient.keys('y:*');",
      errors: [
        { messageId: 'keysCommand', line: 3, column: 21 },
        {
          messageId: 'keysCommand',
          line: 4,
          column: 8,
          suggestions: [
            "import { createClient } from 'redis';\nconst client = createClient();\nclient.sendCommand(['KEYS', 'x:*']);\n(async () => { const keys = new Set<string>(); for await (const entry of client.scanIterator({ MATCH: 'y:*', COUNT: 1000 })) for (const key of ([] as string[]).concat(entry)) keys.add(key); return [...keys]; })();",
          ],
        },
      ],
    },
    {
      name: 'upstash client from env',
      code: "import { Redis } from '@upstash/redis';\nconst redis = Redis.fromEnv();\nawait redis.keys('*');",
      errors: [{ messageId: 'keysCommand', line: 3, column: 13 }],
    },
    {
      name: 'Lua script through eval, defineCommand and script load',
      code: `${ioredis}const LUA = "local ks = redis.call('keys', ARGV[1]) return #ks";\nredis.eval(LUA, 0, 'x:*');\nredis.defineCommand('countKeys', { numberOfKeys: 0, lua: LUA });\nredis.script('LOAD', LUA);`,
      errors: [
        { messageId: 'keysInLua', line: 4, column: 12 },
        { messageId: 'keysInLua', line: 5, column: 58 },
        { messageId: 'keysInLua', line: 6, column: 22 },
      ],
    },
    {
      name: 'client imported from a project module',
      code: "import { redis } from './cache/redis';\nexport const list = () => redis.keys('p:*');",
      files: { 'src/cache/redis.ts': "import Redis from 'ioredis';\nexport const redis = new Redis(process.env.REDIS_URL!);\n" },
      errors: [{ messageId: 'keysCommand', line: 2, column: 33 }],
    },
    {
      name: 'typed constructor parameter and class field',
      code: "import type { Redis } from 'ioredis';\nexport class Repo {\n  constructor(private readonly redis: Redis) {}\n  all() { return this.redis.keys('*'); }\n}",
      errors: [{ messageId: 'keysCommand', line: 4, column: 29 }],
    },
    {
      name: 'factory returning a client',
      code: "import Redis from 'ioredis';\nlet client: Redis | undefined;\nexport function getRedis() { client ??= new Redis(); return client; }\ngetRedis().keys('*');",
      errors: [{ messageId: 'keysCommand', line: 4, column: 12 }],
    },
    {
      name: 'CommonJS require',
      filename: 'src/legacy.js',
      code: "const Redis = require('ioredis');\nconst redis = new Redis();\nredis.keys('*');",
      errors: [{ messageId: 'keysCommand', line: 3, column: 7, suggestions: ["const Redis = require('ioredis');\nconst redis = new Redis();\n(async () => { const keys = new Set(); for await (const batch of redis.scanStream({ match: '*', count: 1000 })) for (const key of batch) keys.add(key); return [...keys]; })();"] }],
    },
  ],
});

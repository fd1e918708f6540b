import { runRuleTests } from '../testing/rule-tester';
import { preferSetWithExpiry } from './prefer-set-with-expiry';

const ioredis = "import Redis from 'ioredis';\nconst redis = new Redis();\n";

runRuleTests(preferSetWithExpiry, {
  valid: [
    // Already one command.
    `${ioredis}export async function save(key: string, value: string) {\n  await redis.set(key, value, 'EX', 60);\n}`,
    // The expiry of another key.
    `${ioredis}export async function save(key: string, other: string, value: string) {\n  await redis.set(key, value);\n  await redis.expire(other, 60);\n}`,
    // Not adjacent: something happens between the two commands.
    `${ioredis}export async function save(key: string, value: string) {\n  await redis.set(key, value);\n  console.log('saved');\n  await redis.expire(key, 60);\n}`,
    // SETNX + EXPIRE: merging would change what the caller gets back.
    `${ioredis}export async function lock(key: string) {\n  const ok = await redis.setnx(key, '1');\n  await redis.expire(key, 30);\n  return ok;\n}`,
    // The SET's reply is used.
    `${ioredis}export async function save(key: string, value: string) {\n  const reply = await redis.set(key, value);\n  await redis.expire(key, 60);\n  return reply;\n}`,
    // Inside a MULTI both already travel together.
    `${ioredis}export async function save(key: string, value: string) {\n  await redis.multi().set(key, value).expire(key, 60).exec();\n}`,
    // The key is computed by a call: merging would call it once instead of twice.
    `${ioredis}let n = 0;\nconst nextKey = () => \`k:\${n++}\`;\nexport async function save(value: string) {\n  await redis.set(nextKey(), value);\n  await redis.expire(nextKey(), 60);\n}`,
    // The TTL awaits something: moving it before the SET could change what it observes.
    `${ioredis}declare function ttlFor(key: string): Promise<number>;\nexport async function save(key: string, value: string) {\n  await redis.set(key, value);\n  await redis.expire(key, await ttlFor(key));\n}`,
    // A Map is not a cache client.
    'const map = new Map<string, string>();\nmap.set("a", "b");\n(map as any).expire?.("a", 1);',
  ],
  invalid: [
    {
      name: 'ioredis: EXPIRE merged into SET ... EX',
      code: `${ioredis}export async function save(key: string, value: string) {\n  await redis.set(key, value);\n  await redis.expire(key, 3600);\n}\n`,
      errors: [{ messageId: 'separateExpire', line: 4, column: 15 }],
      output: `${ioredis}export async function save(key: string, value: string) {\n  await redis.set(key, value, 'EX', 3600);\n}\n`,
    },
    {
      name: 'ioredis: PEXPIRE merged into SET ... PX, with a template key',
      code: `${ioredis}export async function save(id: string, value: string) {\n  await redis.set(\`product:\${id}\`, value);\n  await redis.pexpire(\`product:\${id}\`, 90_000);\n}\n`,
      errors: [{ messageId: 'separateExpire', line: 4, column: 15 }],
      output: `${ioredis}export async function save(id: string, value: string) {\n  await redis.set(\`product:\${id}\`, value, 'PX', 90_000);\n}\n`,
    },
    {
      name: 'node-redis: the EX option object',
      code: "import { createClient } from 'redis';\nconst client = createClient();\nexport async function save(key: string, value: string) {\n  await client.set(key, value);\n  await client.expire(key, 600);\n}\n",
      errors: [{ messageId: 'separateExpire', line: 4, column: 16 }],
      output: "import { createClient } from 'redis';\nconst client = createClient();\nexport async function save(key: string, value: string) {\n  await client.set(key, value, { EX: 600 });\n}\n",
    },
    {
      name: '@upstash/redis: the ex option object',
      code: "import { Redis } from '@upstash/redis';\nconst redis = Redis.fromEnv();\nexport async function save(key: string, value: string) {\n  await redis.set(key, value);\n  await redis.expire(key, 60);\n}\n",
      errors: [{ messageId: 'separateExpire', line: 4, column: 15 }],
      output: "import { Redis } from '@upstash/redis';\nconst redis = Redis.fromEnv();\nexport async function save(key: string, value: string) {\n  await redis.set(key, value, { ex: 60 });\n}\n",
    },
  ],
});

import { Node } from 'ts-morph';
import type { CacheCall } from '../clients/cache-calls';
import { unwrap } from '../clients/client-resolver';
import { constantString } from '../values/constant-value';
import { createRule } from './create-rule';

/**
 * Redis KEYS walks the whole keyspace in one blocking command: on a large production keyspace it
 * stalls every other client for seconds. SCAN returns the same keys incrementally.
 */

const redisProtocolLibraries = new Set(['ioredis', 'node-redis', 'upstash', 'custom']);
const luaCommands = new Set(['eval', 'eval_ro', 'evalsha', 'scriptload', 'definecommand', 'createscript']);
/** `redis.call('KEYS', ...)` / `redis.pcall("keys", ...)` inside Lua; `KEYS[1]` (the key arguments) is fine. */
const luaKeysCall = /redis\s*\.\s*p?call\s*\(\s*(['"])keys\1/i;

export const noKeysCommand = createRule<Record<string, never>>({
  name: 'no-keys-command',
  meta: {
    type: 'problem',
    scope: 'file',
    docs: {
      description: 'Disallow the Redis KEYS command, which blocks the server while it walks the whole keyspace',
      defaultLevel: 'error',
    },
    messages: {
      keysCommand: 'Redis KEYS blocks the server while it scans every key; iterate with SCAN instead.',
      keysInLua: 'This Lua script calls KEYS, which blocks the server while it scans every key; pass the keys in or iterate with SCAN outside the script.',
      useScan: 'Replace KEYS with a SCAN loop ({{api}}) over the same MATCH pattern.',
    },
    hasSuggestions: true,
    schema: { type: 'object', additionalProperties: false, properties: {} },
  },
  defaultOptions: {},
  create(context) {
    const isTypeScript = /\.[cm]?tsx?$/.test(context.file.filePath);
    return {
      cacheCall(call) {
        if (!redisProtocolLibraries.has(call.client.library)) return;
        if (call.command === 'keys') {
          const scan = call.client.batch ? undefined : scanReplacement(call, isTypeScript);
          context.report({
            node: call.commandNode,
            messageId: 'keysCommand',
            suggest: scan
              ? [{ messageId: 'useScan', data: { api: scan.api }, fix: (fixer) => fixer.replaceText(call.call, scan.text) }]
              : undefined,
          });
          return;
        }
        const scriptArg = luaScriptArgument(call);
        if (!scriptArg) return;
        const script = constantString(scriptArg);
        if (script !== undefined && luaKeysCall.test(script)) {
          context.report({ node: scriptArg, messageId: 'keysInLua' });
        }
      },
    };
  },
});

/** The argument that holds Lua source for the script-running commands, in each client's spelling. */
function luaScriptArgument(call: CacheCall): Node | undefined {
  const args = call.args;
  if (call.command === 'script') {
    return constantString(args[0])?.toLowerCase() === 'load' ? args[1] : undefined;
  }
  if (!luaCommands.has(call.command)) return undefined;
  if (call.command === 'definecommand') {
    // ioredis: redis.defineCommand('name', { numberOfKeys: 1, lua: '...' })
    const options = args[1] ? unwrap(args[1]) : undefined;
    if (!options || !Node.isObjectLiteralExpression(options)) return undefined;
    const lua = options.getProperty('lua');
    return Node.isPropertyAssignment(lua) ? lua.getInitializer() : undefined;
  }
  return args[0];
}

/** A drop-in expression that resolves to the same array of key names as the KEYS call, using SCAN. */
function scanReplacement(call: CacheCall, isTypeScript: boolean): { text: string; api: string } | undefined {
  const callee = unwrap(call.call.getExpression());
  if (!Node.isPropertyAccessExpression(callee) && !Node.isElementAccessExpression(callee)) return undefined;
  const client = callee.getExpression().getText();
  const pattern = call.args[0]?.getText() ?? "'*'";
  const setType = isTypeScript ? '<string>' : '';
  switch (call.client.library) {
    case 'ioredis':
    case 'custom':
      return {
        api: 'scanStream',
        text:
          `(async () => { const keys = new Set${setType}(); ` +
          `for await (const batch of ${client}.scanStream({ match: ${pattern}, count: 1000 })) ` +
          `for (const key of batch${isTypeScript ? ' as string[]' : ''}) keys.add(key); return [...keys]; })()`,
      };
    case 'node-redis':
      // scanIterator yields single keys in node-redis v4 and arrays of keys in v5; accept both.
      return {
        api: 'scanIterator',
        text:
          `(async () => { const keys = new Set${setType}(); ` +
          `for await (const entry of ${client}.scanIterator({ MATCH: ${pattern}, COUNT: 1000 })) ` +
          `for (const key of ${isTypeScript ? '([] as string[])' : '[]'}.concat(entry)) keys.add(key); return [...keys]; })()`,
      };
    case 'upstash':
      return {
        api: 'scan',
        text:
          `(async () => { const keys = new Set${setType}(); let cursor${isTypeScript ? ': string | number' : ''} = 0; ` +
          `do { const [next, batch] = ${isTypeScript ? '(' : ''}await ${client}.scan(cursor, { match: ${pattern}, count: 1000 })${isTypeScript ? ') as [string, string[]]' : ''}; ` +
          `for (const key of batch) keys.add(key); cursor = next; } while (String(cursor) !== '0'); return [...keys]; })()`,
      };
    default:
      return undefined;
  }
}

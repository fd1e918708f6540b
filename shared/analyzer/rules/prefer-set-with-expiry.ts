import { Node, SyntaxKind } from 'ts-morph';
import type { CacheCall } from '../clients/cache-calls';
import { isStatementLevel } from '../clients/cache-calls';
import { unwrap } from '../clients/client-resolver';
import type { TextEdit } from '../types';
import { createRule } from './create-rule';

/**
 * `SET key value` followed by `EXPIRE key ttl` is two round trips and not atomic: a crash, a
 * timeout or a deploy between them leaves a key that never expires. SET takes the expiry itself.
 * Merging the two is this project's safe `--fix`: the final state of the key is the same, only
 * the window without a TTL disappears.
 */

const expiryOption: Record<string, Record<'expire' | 'pexpire', (ttl: string) => string>> = {
  ioredis: { expire: (ttl) => `'EX', ${ttl}`, pexpire: (ttl) => `'PX', ${ttl}` },
  custom: { expire: (ttl) => `'EX', ${ttl}`, pexpire: (ttl) => `'PX', ${ttl}` },
  'node-redis': { expire: (ttl) => `{ EX: ${ttl} }`, pexpire: (ttl) => `{ PX: ${ttl} }` },
  upstash: { expire: (ttl) => `{ ex: ${ttl} }`, pexpire: (ttl) => `{ px: ${ttl} }` },
};

export const preferSetWithExpiry = createRule<Record<string, never>>({
  name: 'prefer-set-with-expiry',
  meta: {
    type: 'suggestion',
    scope: 'file',
    docs: {
      description: 'Set the expiry in the SET itself instead of a separate EXPIRE right after it',
      defaultLevel: 'warn',
    },
    messages: {
      separateExpire:
        '`set` is followed by a separate `{{expire}}` of the same key: two round trips, and a failure between them leaves the key without a TTL. Pass the expiry to `set`.',
    },
    fixable: 'code',
    schema: { type: 'object', additionalProperties: false, properties: {} },
  },
  defaultOptions: {},
  create(context) {
    const calls = context.file.cacheCalls;
    const byCall = new Map(calls.map((call) => [call.call, call]));
    return {
      cacheCall(call) {
        if (call.command !== 'set' || call.spelling !== 'method' || call.client.batch) return;
        if (call.args.length !== 2 || !isStatementLevel(call.call)) return;
        const options = expiryOption[call.client.library];
        if (!options) return;
        const setStatement = call.call.getFirstAncestorByKind(SyntaxKind.ExpressionStatement);
        const next = setStatement?.getNextSibling();
        if (!setStatement || !next || !Node.isExpressionStatement(next)) return;
        const expire = statementCall(next, byCall);
        if (!expire || (expire.command !== 'expire' && expire.command !== 'pexpire') || expire.spelling !== 'method') return;
        if (expire.client.batch || expire.args.length !== 2 || !isStatementLevel(expire.call)) return;
        if (!sameText(receiverOf(call), receiverOf(expire)) || !sameText(call.args[0], expire.args[0])) return;
        // The key is evaluated twice today and once after the merge: only call-free keys can merge.
        if (Node.isCallExpression(call.args[0]) || call.args[0].getDescendantsOfKind(SyntaxKind.CallExpression).length > 0) return;
        const ttl = expire.args[1];
        // The TTL moves before the SET is sent: only expressions that cannot observe Redis may move.
        if (ttl.getDescendantsOfKind(SyntaxKind.AwaitExpression).length > 0 || Node.isAwaitExpression(ttl)) return;
        const option = options[expire.command as 'expire' | 'pexpire'](ttl.getText());
        context.report({
          node: call.commandNode,
          messageId: 'separateExpire',
          data: { expire: expire.command },
          fix: (fixer) => {
            const text = next.getSourceFile().getFullText();
            const lineStart = text.lastIndexOf('\n', next.getStart() - 1) + 1;
            const alone = text.slice(lineStart, next.getStart()).trim() === '';
            let end = next.getEnd();
            if (alone && text[end] === '\n') end += 1;
            const removal: TextEdit = alone
              ? fixer.replaceRange([lineStart, end], '')
              : fixer.replaceRange([setStatement.getEnd(), next.getEnd()], '');
            return [fixer.insertTextAfter(call.args[1], `, ${option}`), removal];
          },
        });
      },
    };
  },
});

function statementCall(statement: Node, byCall: Map<Node, CacheCall>): CacheCall | undefined {
  if (!Node.isExpressionStatement(statement)) return undefined;
  const expression = unwrap(statement.getExpression());
  return Node.isCallExpression(expression) ? byCall.get(expression) : undefined;
}

function receiverOf(call: CacheCall): Node | undefined {
  const callee = unwrap(call.call.getExpression());
  return Node.isPropertyAccessExpression(callee) ? callee.getExpression() : undefined;
}

function sameText(a: Node | undefined, b: Node | undefined): boolean {
  return a !== undefined && b !== undefined && a.getText().replace(/\s+/g, '') === b.getText().replace(/\s+/g, '');
}

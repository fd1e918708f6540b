import { Node, SourceFile, SyntaxKind } from 'ts-morph';
import { CacheCall, normalise } from '../clients/cache-calls';
import { stringValue, unwrap } from '../clients/client-resolver';
import { isCacheMethodName } from '../clients/command-names';
import type { TypedReceivers } from './typed-receivers';

/**
 * Cache calls the syntactic resolver missed but the installed typings place: a command-named
 * method whose receiver's declared type comes from a cache library.
 */
export function typedCacheCalls(file: SourceFile, known: readonly CacheCall[], typed: TypedReceivers): CacheCall[] {
  const seen = new Set(known.map((call) => call.call));
  const found: CacheCall[] = [];
  for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    if (seen.has(call)) continue;
    const callee = unwrap(call.getExpression());
    let method: string | undefined;
    let methodNode: Node | undefined;
    let receiver: Node | undefined;
    if (Node.isPropertyAccessExpression(callee)) {
      method = callee.getName();
      methodNode = callee.getNameNode();
      receiver = callee.getExpression();
    } else if (Node.isElementAccessExpression(callee)) {
      method = stringValue(callee.getArgumentExpression());
      methodNode = callee.getArgumentExpression();
      receiver = callee.getExpression();
    }
    if (!method || !methodNode || !receiver || !isCacheMethodName(method)) continue;
    // Literals, `new Map()` and the like are never clients; asking the checker about them costs time.
    const inner = unwrap(receiver);
    if (Node.isNewExpression(inner) || Node.isArrayLiteralExpression(inner) || Node.isObjectLiteralExpression(inner) || Node.isStringLiteral(inner)) continue;
    const client = typed.clientAt(file.getFilePath(), receiver.getStart(), receiver.getEnd());
    if (!client) continue;
    const origin = receiver.getSymbol()?.getDeclarations()[0] ?? receiver;
    found.push(
      ...normalise(call, {
        library: client.library,
        hasDefaultTtl: false,
        batch: client.batch ? { kind: client.batch, origin } : undefined,
      }, method, methodNode),
    );
  }
  return found;
}

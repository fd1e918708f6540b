/**
 * Fluent query APIs are call chains (`db.update(t).set(..).where(..)`, `knex('t').where(..).del()`).
 * A chain is flattened into its root and the steps applied to it so each library's recogniser can
 * look at method names and arguments in order.
 */
import {
  CallExpression,
  ElementAccessExpression,
  Node,
  PropertyAccessExpression,
  TaggedTemplateExpression,
} from 'ts-morph';
import type { DbCallNode } from './db-types';

export type ChainStep =
  | { kind: 'member'; name: string; node: PropertyAccessExpression | ElementAccessExpression }
  | { kind: 'call'; node: CallExpression }
  | { kind: 'tag'; node: TaggedTemplateExpression };

export interface Chain {
  /** What the chain starts from: an identifier, `this`, a call that is not part of a member chain, ... */
  root: Node;
  steps: ChainStep[];
  head: DbCallNode;
}

export interface MethodCall {
  name: string;
  call: CallExpression;
  args: Node[];
  /** Index of the member step in `chain.steps`. */
  index: number;
  /** The expression the method is called on. */
  receiver: Node;
}

/** Promise plumbing after an operation belongs to the caller, not to the query. */
const PROMISE_METHODS = new Set(['then', 'catch', 'finally']);

/** Strips syntax that does not change the value: parentheses, `!`, `as T`, `<T>x`, `satisfies T`. */
export function unwrapExpression(node: Node): Node {
  let current = node;
  for (;;) {
    if (Node.isParenthesizedExpression(current) || Node.isNonNullExpression(current) || Node.isAsExpression(current)
      || Node.isTypeAssertion(current) || Node.isSatisfiesExpression(current)) {
      current = current.getExpression();
    } else {
      return current;
    }
  }
}

function memberName(node: Node): string | undefined {
  if (Node.isPropertyAccessExpression(node)) return node.getName();
  if (Node.isElementAccessExpression(node)) {
    const argument = node.getArgumentExpression();
    if (argument && (Node.isStringLiteral(argument) || Node.isNoSubstitutionTemplateLiteral(argument))) {
      return argument.getLiteralText();
    }
  }
  return undefined;
}

/** The node one level up that continues the chain through `node`, if any. */
function chainParent(node: Node): DbCallNode | undefined {
  let child = node;
  let parent = child.getParent();
  while (parent && unwrapExpression(parent) !== parent) {
    child = parent;
    parent = parent.getParent();
  }
  if (!parent) return undefined;
  if (Node.isPropertyAccessExpression(parent) && parent.getExpression() === child) {
    if (PROMISE_METHODS.has(parent.getName())) return undefined;
    const grand = parent.getParent();
    if (grand && Node.isCallExpression(grand) && grand.getExpression() === parent) return grand;
    if (grand && Node.isTaggedTemplateExpression(grand) && grand.getTag() === parent) return grand;
    return undefined;
  }
  if (Node.isCallExpression(parent) && parent.getExpression() === child) return parent;
  if (Node.isTaggedTemplateExpression(parent) && parent.getTag() === child) return parent;
  return undefined;
}

/** `.then(...)`, `.catch(...)`, `.finally(...)` called on something. */
export function isPromiseCallback(node: DbCallNode): boolean {
  if (!Node.isCallExpression(node)) return false;
  const callee = node.getExpression();
  return Node.isPropertyAccessExpression(callee) && PROMISE_METHODS.has(callee.getName());
}

/** The outermost call or tagged template of the chain `node` belongs to. */
export function chainHead(node: DbCallNode): DbCallNode {
  let current: DbCallNode = node;
  for (let next = chainParent(current); next !== undefined; next = chainParent(current)) current = next;
  return current;
}

function collect(expression: Node, steps: ChainStep[]): Node {
  const node = unwrapExpression(expression);
  if (Node.isCallExpression(node)) {
    const root = collect(node.getExpression(), steps);
    steps.push({ kind: 'call', node });
    return root;
  }
  if (Node.isTaggedTemplateExpression(node)) {
    const root = collect(node.getTag(), steps);
    steps.push({ kind: 'tag', node });
    return root;
  }
  if (Node.isPropertyAccessExpression(node) || Node.isElementAccessExpression(node)) {
    const name = memberName(node);
    if (name === undefined) return node;
    const root = collect(node.getExpression(), steps);
    steps.push({ kind: 'member', name, node });
    return root;
  }
  return node;
}

/** Flatten the chain that ends at `head`. */
export function decomposeChain(head: DbCallNode): Chain {
  const steps: ChainStep[] = [];
  const root = collect(head, steps);
  return { root, steps, head };
}

/** Flatten any expression (an initializer, a receiver) the same way. */
export function decomposeExpression(expression: Node): { root: Node; steps: ChainStep[] } {
  const steps: ChainStep[] = [];
  const root = collect(expression, steps);
  return { root, steps };
}

/** Every `.name(...)` step of a chain, in order. */
export function methodCalls(steps: ChainStep[]): MethodCall[] {
  const calls: MethodCall[] = [];
  for (let i = 0; i + 1 < steps.length; i++) {
    const step = steps[i];
    const next = steps[i + 1];
    if (step?.kind === 'member' && next?.kind === 'call') {
      calls.push({
        name: step.name,
        call: next.node,
        args: next.node.getArguments(),
        index: i,
        receiver: unwrapExpression(step.node.getExpression()),
      });
    }
  }
  return calls;
}

import { CallExpression, Node, SyntaxKind, ts } from 'ts-morph';
import type { CacheCall } from '../clients/cache-calls';
import type { CacheLibrary } from '../clients/libraries';
import {
  deleteCommands,
  fillCommands,
  firstKeyDeleteCommands,
  multiKeyReadCommands,
  onlyIfAbsentCommands,
  readCommands,
  redisFlushCommands,
  relativeExpireCommands,
  scanCommands,
  storeFlushCommands,
} from '../clients/command-kinds';
import { enclosingFunction, unwrap } from '../clients/client-resolver';
import type { DbOperation } from '../db/db-types';
import { normalizeModelName } from '../db/model-name';
import type { ProjectModel } from '../engine/models';
import type { KeyFamily } from '../keys/key-family';
import { constantNumber, constantString, constantValue } from '../values/constant-value';
import { createRule, type Fixer } from './create-rule';

/**
 * One table usually feeds several cache entries: the product page, the category listing it appears
 * in, the home-page rail. A write path that deletes one of them and forgets the others serves the
 * old data from the rest until they expire. The rule builds a catalog of every key family the
 * project fills and the tables each is filled from, then checks each write path that already
 * invalidates some of those families for the ones it leaves behind.
 */

export interface FanoutInvalidationOptions {
  /** Globs of key families (`session:*`, `category:*:products`) left out of the catalog. */
  ignoreFamilies: string[];
}

export const fanoutInvalidation = createRule<FanoutInvalidationOptions>({
  name: 'fanout-invalidation',
  meta: {
    type: 'problem',
    scope: 'project',
    docs: {
      description:
        'Require a write path that invalidates cache entries filled from a table to invalidate every key family filled from that table',
      defaultLevel: 'warn',
    },
    messages: {
      missedFamilies:
        'Writes {{model}} and invalidates {{invalidated}}, but not {{missed}}, which {{verb}} also filled from {{model}}.',
      addInvalidation: 'Also delete {{families}} next to the existing invalidation.',
    },
    hasSuggestions: true,
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ignoreFamilies: {
          type: 'array',
          items: { type: 'string', minLength: 1 },
          uniqueItems: true,
          default: [],
          description:
            'Globs of key families to leave out of the catalog, matched against the family as written (`category:{cid}:products`) and as a pattern (`category:*:products`); `*` matches any run of characters.',
        },
      },
    },
  },
  defaultOptions: { ignoreFamilies: [] },
  create(context) {
    return {
      projectEnd() {
        const analysis = new FanoutAnalysis(context.project, context.options.ignoreFamilies ?? []);
        for (const finding of analysis.findings()) {
          const missedNames = finding.missed.map((family) => family.display);
          const plural = missedNames.length > 1;
          context.report({
            node: finding.node,
            messageId: 'missedFamilies',
            data: {
              model: finding.model,
              invalidated: finding.invalidated.map((family) => family.display).join(', '),
              missed: missedNames.join(', '),
              verb: plural ? 'are' : 'is',
            },
            related: finding.missed.map((family) => ({
              node: family.fill.node,
              message: `${family.display} is filled from ${finding.model} here`,
            })),
            suggest: finding.suggestion
              ? [
                  {
                    messageId: 'addInvalidation',
                    data: { families: finding.suggestion.families.join(', ') },
                    fix: (fixer: Fixer) => fixer.replaceRange([finding.suggestion!.at, finding.suggestion!.at], finding.suggestion!.text),
                  },
                ]
              : undefined,
          });
        }
      },
    };
  },
});

type FunctionNode = Node;

/** A place that fills a key family with a value computed from database reads. */
interface FillSite {
  family: KeyFamily;
  /** The expression that names the key where the value is cached. */
  keyExpression: Node;
  /** The SET, `wrap` or read-through helper call; related locations point here. */
  node: Node;
  models: ReadonlySet<string>;
}

interface CatalogEntry {
  family: KeyFamily;
  fills: FillSite[];
}

/** How to write one more delete next to an existing one. */
interface DeleteWriter {
  /** The client (or the invalidation helper's callee) the new call is made on. */
  receiver: Node;
  build(receiverText: string, keyText: string): string;
}

interface InvalidationSite {
  /** The call in the code, used to find where the write path's invalidation ends. */
  call: CallExpression;
  families: KeyFamily[];
  writer?: DeleteWriter;
}

/** What the code of one function (its nested callbacks included) does to the cache. */
interface CacheEffects {
  deletes: InvalidationSite[];
  /** Globs removed with SCAN/KEYS + DEL. */
  patterns: Array<{ glob: string; call: CallExpression }>;
  /** Families the function SETs (a refreshed entry is not stale). */
  refreshed: Set<string>;
  /** FLUSHDB, `cache.clear()`: everything is gone. */
  flushes: boolean;
  /** A delete whose keys cannot be known: it may be the family we would call missed. */
  unknownDelete: boolean;
}

interface KeyHelper {
  fn: FunctionNode;
  index: number;
  role: 'fill' | 'read' | 'delete' | 'pattern';
  paramCount: number;
  /** `invalidate(...keys: string[])`: every argument from `index` on is a key. */
  rest: boolean;
  /** Text a pattern helper puts around its parameter: `keys(prefix + '*')`. */
  affix?: { before: string; after: string };
}

interface MissedFamily {
  display: string;
  fill: FillSite;
}

interface Finding {
  node: Node;
  model: string;
  invalidated: KeyFamily[];
  missed: MissedFamily[];
  suggestion?: { at: number; text: string; families: string[] };
}

const redisProtocol = new Set<CacheLibrary>(['ioredis', 'node-redis', 'upstash', 'custom']);
/** Method names that say which step of a query chain is the write. */
const writeVerbs = new Set([
  'insert', 'insertInto', 'insertOne', 'insertMany', 'update', 'updateTable', 'updateOne', 'updateMany', 'upsert',
  'delete', 'deleteFrom', 'deleteOne', 'deleteMany', 'del', 'create', 'createMany', 'save', 'remove', 'destroy',
  'softDelete', 'softRemove', 'restore', 'increment', 'decrement', 'findOneAndUpdate', 'findByIdAndUpdate',
  'findOneAndDelete', 'findByIdAndDelete', 'findOneAndReplace', 'replaceOne', 'bulkWrite', 'bulkCreate',
]);
const helperRounds = 3;

class FanoutAnalysis {
  private readonly catalog = new Map<string, CatalogEntry>();
  private readonly effects = new Map<FunctionNode, CacheEffects>();
  private readonly globalPatterns: string[] = [];
  /** Families some code reads back: only those are caches (a SET nobody GETs is a marker or data). */
  private readonly readFamilies = new Set<string>();
  private readonly helpers = new Map<string, KeyHelper>();
  private readonly callsByName = new Map<string, CallExpression[]>();
  private readonly calleeMemo = new Map<CallExpression, FunctionNode | null>();
  private readonly readsMemo = new Map<FunctionNode, Set<string>>();
  private readonly effectsWithCallees = new Map<FunctionNode, CacheEffects>();
  private readonly fileOperations = new Map<string, DbOperation[]>();
  private readonly ignored: RegExp[];
  /** Delete calls whose keys are unknown, kept until we know whether they belong to a SCAN/KEYS purge. */
  private readonly unresolvedDeletes: CallExpression[] = [];
  private readonly patternSources: CallExpression[] = [];
  private entriesByModel?: Map<string, CatalogEntry[]>;

  constructor(
    private readonly project: ProjectModel,
    ignoreFamilies: readonly string[],
  ) {
    this.ignored = ignoreFamilies.map((glob) => globRegExp(glob, false));
    this.build();
  }

  // ---------------------------------------------------------------- catalog and cache effects

  private build(): void {
    for (const file of this.project.files) {
      for (const call of file.cacheCalls) this.visitCacheCall(call);
      for (const call of file.sourceFile.getDescendantsOfKind(SyntaxKind.CallExpression)) {
        const name = calleeName(call);
        if (!name) continue;
        const list = this.callsByName.get(name);
        if (list) list.push(call);
        else this.callsByName.set(name, [call]);
      }
    }
    this.resolveHelperCallSites();
    this.settleUnresolvedDeletes();
  }

  private visitCacheCall(call: CacheCall): void {
    const { command, args, client } = call;
    if (command === 'wrap' && (client.library === 'cache-manager' || client.library === 'custom') && args[0]) {
      this.recordRead(args[0]);
      this.recordFill(call.call, args[0], args.slice(1, 2));
      return;
    }
    if (fillCommands.has(command) && args[0]) {
      if (args.some(isOnlyIfAbsentOption)) return;
      const values = command === 'setex' || command === 'psetex' || command === 'json.set' ? args.slice(2, 3) : command === 'hset' || command === 'hmset' ? args.slice(1) : args.slice(1, 2);
      // `SET flag 1`: a marker, not a value computed from the database.
      if (values.length === 0 || values.every((value) => constantValue(value) !== undefined)) return;
      this.recordFill(call.call, args[0], values);
      return;
    }
    if (onlyIfAbsentCommands.has(command)) return;
    if (readCommands.has(command)) {
      const keys = multiKeyReadCommands.has(command) ? args : args.slice(0, 1);
      for (const key of keys) this.recordRead(key);
      return;
    }
    if (deleteCommands.has(command)) {
      this.recordDelete(call.call, args.filter((arg) => !isFunctionLike(unwrap(arg))), deleteWriter(call));
      return;
    }
    if (firstKeyDeleteCommands.has(command) && args[0]) {
      this.recordDelete(call.call, [args[0]], deleteWriter(call));
      return;
    }
    if (relativeExpireCommands.has(command) && args[0] && args[1]) {
      const seconds = constantNumber(args[1]);
      if (seconds !== undefined && seconds <= 0) this.recordDelete(call.call, [args[0]], deleteWriter(call));
      return;
    }
    if ((redisProtocol.has(client.library) && redisFlushCommands.has(command)) || (!redisProtocol.has(client.library) && storeFlushCommands.has(command))) {
      this.forEachEnclosing(call.call, (effects) => (effects.flushes = true));
      return;
    }
    if (redisProtocol.has(client.library) && (command === 'keys' || scanCommands.has(command))) {
      const pattern = command === 'keys' ? args[0] : scanMatchArgument(args);
      if (pattern) {
        this.patternSources.push(call.call);
        this.recordPattern(call.call, pattern);
      }
    }
  }

  /**
   * A SET (or `wrap`, or a read-through helper call) of a family: the value is filled from the
   * models the values passed along (`valueArgs`, or a loader function among them) are read from.
   */
  private recordFill(site: CallExpression, keyArg: Node, valueArgs: Node[]): void {
    const family = this.project.keys.familyOf(keyArg);
    if (family) {
      this.addFill(family, keyArg, site, this.fillModels(site, valueArgs));
      this.forEachEnclosing(site, (effects) => effects.refreshed.add(family.pattern));
      return;
    }
    this.registerHelper(keyArg, 'fill');
  }

  private recordRead(keyArg: Node): void {
    for (const leaf of keyLeaves(keyArg, 0)) {
      const family = leaf ? this.project.keys.familyOf(leaf) : undefined;
      if (family) this.readFamilies.add(family.pattern);
      else if (leaf) this.registerHelper(leaf, 'read');
    }
  }

  private addFill(family: KeyFamily, keyExpression: Node, node: Node, models: ReadonlySet<string>): void {
    if (models.size === 0 || this.isIgnored(family)) return;
    let entry = this.catalog.get(family.pattern);
    if (!entry) {
      entry = { family, fills: [] };
      this.catalog.set(family.pattern, entry);
    }
    entry.fills.push({ family, keyExpression, node, models });
  }

  private recordDelete(call: CallExpression, keyArgs: Node[], writer: DeleteWriter | undefined): void {
    const families: KeyFamily[] = [];
    let unknown = false;
    for (const leaf of keyArgs.flatMap((arg) => keyLeaves(arg, 0))) {
      const family = leaf ? this.project.keys.familyOf(leaf) : undefined;
      if (family) families.push(family);
      else if (!leaf || !this.registerHelper(leaf, 'delete')) unknown = true;
    }
    if (families.length > 0) {
      const site: InvalidationSite = { call, families, writer };
      this.forEachEnclosing(call, (effects) => effects.deletes.push(site));
    }
    if (unknown) this.unresolvedDeletes.push(call);
  }

  private recordPattern(call: CallExpression, patternArg: Node): void {
    // A pattern counts only when the same function also deletes what it finds.
    const owner = outerOwner(call);
    if (!owner || !this.hasDeleteWithin(owner)) return;
    const affixed = affixedParameter(patternArg);
    if (affixed) {
      this.addHelper({ ...affixed.target, role: 'pattern', affix: affixed.affix });
      return;
    }
    const family = this.project.keys.familyOf(patternArg);
    if (family) this.addPattern(call, family.pattern);
  }

  private addPattern(call: CallExpression, glob: string): void {
    this.forEachEnclosing(call, (effects) => effects.patterns.push({ glob, call }));
    // `*` or `${family}:*` (an operator's "clear this family" endpoint) names no family: it is not
    // how any one family is kept fresh.
    if (/[A-Za-z0-9]/.test(glob)) this.globalPatterns.push(glob);
  }

  private hasDeleteWithin(owner: Node): boolean {
    const file = this.project.fileOf(owner);
    return file.cacheCalls.some(
      (call) =>
        (deleteCommands.has(call.command) || firstKeyDeleteCommands.has(call.command)) &&
        call.call.getStart() >= owner.getStart() &&
        call.call.getEnd() <= owner.getEnd(),
    );
  }

  /** A delete of keys we cannot name is harmless when it removes what a SCAN/KEYS in the same function found. */
  private settleUnresolvedDeletes(): void {
    for (const call of this.unresolvedDeletes) {
      const owner = outerOwner(call);
      const purges =
        owner !== undefined &&
        this.patternSources.some(
          (source) => source.getSourceFile() === call.getSourceFile() && source.getStart() >= owner.getStart() && source.getEnd() <= owner.getEnd(),
        );
      if (!purges) this.forEachEnclosing(call, (effects) => (effects.unknownDelete = true));
    }
  }

  /**
   * A cache call whose key is a parameter of a named project function (`cached(key, load)`,
   * `invalidate(key)`, `deleteByPattern(pattern)`): the families come from its call sites.
   */
  private registerHelper(keyArg: Node, role: KeyHelper['role']): boolean {
    const target = parameterTarget(keyArg);
    if (!target) return false;
    this.addHelper({ ...target, role });
    return true;
  }

  private addHelper(helper: KeyHelper): void {
    const id = `${helper.role}:${helper.fn.getSourceFile().getFilePath()}:${helper.fn.getStart()}`;
    if (!this.helpers.has(id)) this.helpers.set(id, helper);
  }

  private resolveHelperCallSites(): void {
    const done = new Set<KeyHelper>();
    for (let round = 0; round < helperRounds; round++) {
      const pending = [...this.helpers.values()].filter((helper) => !done.has(helper));
      if (pending.length === 0) break;
      for (const helper of pending) {
        done.add(helper);
        const name = functionName(helper.fn);
        if (!name) continue;
        for (const site of this.callsByName.get(name) ?? []) {
          if (this.calleeFunction(site) !== helper.fn) continue;
          const keyArgs = helper.rest ? site.getArguments().slice(helper.index) : site.getArguments().slice(helper.index, helper.index + 1);
          for (const keyArg of keyArgs) this.visitHelperCall(helper, site, keyArg);
        }
      }
    }
  }

  private visitHelperCall(helper: KeyHelper, site: CallExpression, keyArg: Node): void {
    if (helper.role === 'fill') {
      this.recordFill(site, keyArg, site.getArguments().filter((_, index) => index !== helper.index));
      return;
    }
    if (helper.role === 'read') {
      this.recordRead(keyArg);
      return;
    }
    if (helper.role === 'delete') {
      const callee = unwrap(site.getExpression());
      const writer: DeleteWriter | undefined =
        helper.paramCount === 1 ? { receiver: callee, build: (receiver, key) => `${receiver}(${key})` } : undefined;
      this.recordDelete(site, [keyArg], writer);
      return;
    }
    const affixed = affixedParameter(keyArg);
    if (affixed) {
      const affix = { before: (helper.affix?.before ?? '') + affixed.affix.before, after: affixed.affix.after + (helper.affix?.after ?? '') };
      this.addHelper({ ...affixed.target, role: 'pattern', affix });
      return;
    }
    const family = this.project.keys.familyOf(keyArg);
    if (family) this.addPattern(site, `${helper.affix?.before ?? ''}${family.pattern}${helper.affix?.after ?? ''}`);
  }

  private forEachEnclosing(node: Node, apply: (effects: CacheEffects) => void): void {
    for (let fn = enclosingFunction(node); fn; fn = enclosingFunction(fn)) apply(this.effectsOf(fn));
  }

  private effectsOf(fn: FunctionNode): CacheEffects {
    let effects = this.effects.get(fn);
    if (!effects) {
      effects = { deletes: [], patterns: [], refreshed: new Set(), flushes: false, unknownDelete: false };
      this.effects.set(fn, effects);
    }
    return effects;
  }

  private isIgnored(family: KeyFamily): boolean {
    return this.ignored.some((glob) => glob.test(family.display) || glob.test(family.pattern));
  }

  // ---------------------------------------------------------------- database reads and writes

  private operationsWithin(fn: FunctionNode): DbOperation[] {
    const file = this.project.fileOf(fn);
    let operations = this.fileOperations.get(file.filePath);
    if (!operations) {
      operations = file.dbOperations(file.sourceFile);
      this.fileOperations.set(file.filePath, operations);
    }
    const start = fn.getStart();
    const end = fn.getEnd();
    return operations.filter((operation) => operation.call.getStart() >= start && operation.call.getEnd() <= end);
  }

  private directReads(fn: FunctionNode): Set<string> {
    const models = new Set<string>();
    for (const operation of this.operationsWithin(fn)) {
      if (operation.access === 'read' && operation.model) models.add(operation.model);
    }
    return models;
  }

  /** Models a function reads itself or through the project functions it calls (one level). */
  private readsOf(fn: FunctionNode): Set<string> {
    let models = this.readsMemo.get(fn);
    if (models) return models;
    models = this.directReads(fn);
    for (const call of fn.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const callee = this.calleeFunction(call);
      if (!callee || isWithin(fn, callee)) continue;
      for (const model of this.directReads(callee)) models.add(model);
    }
    this.readsMemo.set(fn, models);
    return models;
  }

  /**
   * The models a cached value is computed from. A loader (`wrap(key, () => ...)`) says it exactly;
   * otherwise the reads the value flows from, and when the flow cannot be followed (a loop that
   * pushes rows into an array), every read of the function around the SET.
   */
  private fillModels(site: CallExpression, valueArgs: Node[]): ReadonlySet<string> {
    for (const arg of valueArgs) {
      const loaderFn = this.loaderFunction(arg);
      if (loaderFn) return this.readsOf(loaderFn);
    }
    let fn = enclosingFunction(site);
    if (!fn) return new Set();
    const flowed = this.modelsFlowingInto(valueArgs, fn);
    if (flowed.size > 0) return flowed;
    // A value built only from the function's inputs (`{ order: event }`, a workflow's state) holds
    // no database read, whatever else the function reads.
    if (!mentionsLocal(valueArgs, site)) return new Set();
    // `rows.forEach((row) => redis.set(...))`: the rows were read by the function around the callback.
    while (this.readsOf(fn).size === 0 && isInlineCallback(fn)) {
      const outer = enclosingFunction(fn);
      if (!outer) break;
      fn = outer;
    }
    return this.readsOf(fn);
  }

  /**
   * Follows the values of expressions back through the local variables they are built from to
   * database reads (and calls of project functions that read): `JSON.stringify(product)` <-
   * `rows[0]` <- `const { rows } = await db.query('SELECT ... FROM products')`.
   */
  private modelsFlowingInto(expressions: Node[], fn: FunctionNode): Set<string> {
    const models = new Set<string>();
    const operations = new Map<Node, DbOperation>();
    for (const operation of this.operationsWithin(fn)) operations.set(operation.call, operation);
    const seen = new Set<Node>();
    const queue = [...expressions];
    const visit = (node: Node): boolean => {
      const operation = operations.get(node);
      if (operation) {
        if (operation.access === 'read' && operation.model) models.add(operation.model);
        // The query's own arguments (`WHERE category_id = $1`, [category.id]) select rows; they are not the value.
        return false;
      }
      if (Node.isCallExpression(node)) {
        const callee = this.calleeFunction(node);
        if (callee && !isWithin(fn, callee)) for (const model of this.directReads(callee)) models.add(model);
        return true;
      }
      if (!Node.isIdentifier(node)) return true;
      const declaration = node.getSymbol()?.getDeclarations()[0];
      if (!declaration || !isWithin(fn, declaration)) return true;
      const holder = Node.isBindingElement(declaration)
        ? declaration.getFirstAncestorByKind(SyntaxKind.VariableDeclaration)
        : Node.isVariableDeclaration(declaration)
          ? declaration
          : undefined;
      const initializer = holder?.getInitializer();
      if (initializer) queue.push(initializer);
      if (holder && holder.getVariableStatement()?.getDeclarationKind() !== 'const') {
        for (const assignment of fn.getDescendantsOfKind(SyntaxKind.BinaryExpression)) {
          const left = assignment.getLeft();
          if (assignment.getOperatorToken().getKind() === SyntaxKind.EqualsToken && Node.isIdentifier(left) && left.getText() === node.getText()) {
            queue.push(assignment.getRight());
          }
        }
      }
      return true;
    };
    for (let steps = 0; queue.length > 0 && steps < 64; steps++) {
      const expression = queue.shift()!;
      if (seen.has(expression)) continue;
      seen.add(expression);
      if (visit(expression)) {
        expression.forEachDescendant((node, traversal) => {
          if (!visit(node)) traversal.skip();
        });
      }
    }
    return models;
  }

  private loaderFunction(arg: Node): FunctionNode | undefined {
    const expression = unwrap(arg);
    if (Node.isArrowFunction(expression) || Node.isFunctionExpression(expression)) return expression;
    if (Node.isIdentifier(expression) || Node.isPropertyAccessExpression(expression)) {
      return declaredFunctionOf(Node.isPropertyAccessExpression(expression) ? expression.getNameNode() : expression);
    }
    return undefined;
  }

  /** The project function a call runs, when the callee can be resolved to its declaration. */
  private calleeFunction(call: CallExpression): FunctionNode | undefined {
    const cached = this.calleeMemo.get(call);
    if (cached !== undefined) return cached ?? undefined;
    const callee = unwrap(call.getExpression());
    const nameNode = Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : Node.isIdentifier(callee) ? callee : undefined;
    const fn = nameNode ? declaredFunctionOf(nameNode) : undefined;
    this.calleeMemo.set(call, fn ?? null);
    return fn;
  }

  // ---------------------------------------------------------------- write paths

  findings(): Finding[] {
    const paths = new Map<FunctionNode, Array<{ model: string; node: Node; at: number }>>();
    const addWrite = (path: FunctionNode, model: string, node: Node) => {
      const list = paths.get(path) ?? [];
      list.push({ model, node, at: node.getStart() });
      paths.set(path, list);
    };

    for (const file of this.project.files) {
      for (const operation of file.dbOperations(file.sourceFile)) {
        if (operation.access !== 'write' || !operation.model) continue;
        const path = this.writePathOf(operation.call);
        if (path) addWrite(path, operation.model, reportNodeOf(operation.call));
      }
    }
    // Writes one level down (`await this.products.updatePrice(id, p)` into a repository) in a
    // function that does the invalidation itself.
    for (const path of this.invalidatingFunctions()) {
      const direct = new Set((paths.get(path) ?? []).map((write) => write.model));
      for (const call of path.getDescendantsOfKind(SyntaxKind.CallExpression)) {
        const callee = this.calleeFunction(call);
        if (!callee || isWithin(path, callee)) continue;
        for (const operation of this.operationsWithin(callee)) {
          if (operation.access !== 'write' || !operation.model || direct.has(operation.model)) continue;
          addWrite(path, operation.model, reportNodeOfCall(call));
        }
      }
    }

    const findings: Finding[] = [];
    for (const [path, writes] of paths) {
      const effects = this.effectsWithCalleesOf(path);
      if (effects.flushes || effects.unknownDelete) continue;
      if (effects.deletes.length === 0 && effects.patterns.length === 0) continue;
      const firstByModel = new Map<string, { node: Node; at: number }>();
      for (const write of writes.sort((a, b) => a.at - b.at)) {
        if (!firstByModel.has(write.model)) firstByModel.set(write.model, write);
      }
      for (const [model, write] of firstByModel) {
        const finding = this.checkWrite(path, model, write.node, effects);
        if (finding) findings.push(finding);
      }
    }
    return findings.sort((a, b) => a.node.getStart() - b.node.getStart());
  }

  private checkWrite(path: FunctionNode, model: string, node: Node, effects: CacheEffects): Finding | undefined {
    const filled = this.familiesFilledFrom(model);
    if (filled.length < 2) return undefined;
    const deleted = new Set(effects.deletes.flatMap((site) => site.families.map((family) => family.pattern)));
    const invalidated = filled.filter(
      (entry) => deleted.has(entry.family.pattern) || effects.patterns.some((pattern) => globCovers(pattern.glob, entry.family.pattern)),
    );
    if (invalidated.length === 0) return undefined;
    const missed = filled.filter(
      (entry) =>
        !invalidated.includes(entry) &&
        !effects.refreshed.has(entry.family.pattern) &&
        !this.globalPatterns.some((glob) => globCovers(glob, entry.family.pattern)),
    );
    if (missed.length === 0) return undefined;
    const missedFamilies = missed.map((entry) => ({
      display: entry.family.display,
      fill: entry.fills.find((fill) => fill.models.has(model))!,
      entry,
    }));
    return {
      node,
      model,
      invalidated: invalidated.map((entry) => entry.family),
      missed: missedFamilies,
      suggestion: this.suggestion(path, node, model, effects, missedFamilies.map((family) => family.entry)),
    };
  }

  /** Catalog entries by model, built once: only families some code reads back are caches. */
  private familiesFilledFrom(model: string): CatalogEntry[] {
    if (!this.entriesByModel) {
      this.entriesByModel = new Map();
      for (const entry of this.catalog.values()) {
        if (!this.readFamilies.has(entry.family.pattern)) continue;
        const models = new Set(entry.fills.flatMap((fill) => [...fill.models]));
        for (const each of models) {
          const list = this.entriesByModel.get(each) ?? [];
          list.push(entry);
          this.entriesByModel.set(each, list);
        }
      }
    }
    return this.entriesByModel.get(model) ?? [];
  }

  /** Where a write's invalidation lives: leave callbacks (transactions, loops) that do none. */
  private writePathOf(call: Node): FunctionNode | undefined {
    let fn = enclosingFunction(call);
    while (fn && !this.invalidates(fn) && isInlineCallback(fn)) {
      const outer = enclosingFunction(fn);
      if (!outer) break;
      fn = outer;
    }
    return fn;
  }

  private invalidates(fn: FunctionNode): boolean {
    const effects = this.effectsWithCalleesOf(fn);
    return effects.deletes.length > 0 || effects.patterns.length > 0 || effects.flushes || effects.unknownDelete;
  }

  /** Functions that delete cache entries themselves, as write paths: the owners of the delete sites. */
  private invalidatingFunctions(): Set<FunctionNode> {
    const owners = new Set<FunctionNode>();
    const operationsIn = (fn: FunctionNode) => this.operationsWithin(fn).some((operation) => operation.access === 'write');
    for (const effects of this.effects.values()) {
      for (const site of effects.deletes) {
        let fn = enclosingFunction(site.call);
        while (fn && !operationsIn(fn) && isInlineCallback(fn)) {
          const outer = enclosingFunction(fn);
          if (!outer) break;
          fn = outer;
        }
        if (fn) owners.add(fn);
      }
    }
    return owners;
  }

  /** A function's cache effects together with those of the project functions it calls (one level). */
  private effectsWithCalleesOf(fn: FunctionNode): CacheEffects {
    const cached = this.effectsWithCallees.get(fn);
    if (cached) return cached;
    const own = this.effects.get(fn);
    const merged: CacheEffects = {
      deletes: [...(own?.deletes ?? [])],
      patterns: [...(own?.patterns ?? [])],
      refreshed: new Set(own?.refreshed ?? []),
      flushes: own?.flushes ?? false,
      unknownDelete: own?.unknownDelete ?? false,
    };
    for (const call of fn.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const callee = this.calleeFunction(call);
      if (!callee || isWithin(fn, callee) || isWithin(callee, fn)) continue;
      const theirs = this.effects.get(callee);
      if (!theirs) continue;
      // Their deletes happen at this call, as far as this function is concerned.
      for (const site of theirs.deletes) merged.deletes.push({ call, families: site.families });
      for (const pattern of theirs.patterns) merged.patterns.push({ glob: pattern.glob, call });
      for (const family of theirs.refreshed) merged.refreshed.add(family);
      merged.flushes ||= theirs.flushes;
      merged.unknownDelete ||= theirs.unknownDelete;
    }
    this.effectsWithCallees.set(fn, merged);
    return merged;
  }

  // ---------------------------------------------------------------- suggestion

  private suggestion(path: FunctionNode, write: Node, model: string, effects: CacheEffects, missed: CatalogEntry[]): Finding['suggestion'] {
    const sites = [...effects.deletes.map((site) => site.call), ...effects.patterns.map((pattern) => pattern.call)];
    const last = sites.reduce<CallExpression | undefined>((latest, call) => (!latest || call.getStart() > latest.getStart() ? call : latest), undefined);
    if (!last) return undefined;
    const anchor = statementIn(path, last);
    if (!anchor) return undefined;
    const scope = new ScopeAt(anchor);
    const writerSite = [...effects.deletes]
      .filter((site) => site.writer && scope.usable(site.writer.receiver))
      .sort((a, b) => b.call.getStart() - a.call.getStart())[0];
    if (!writerSite?.writer) return undefined;
    const writer = writerSite.writer;
    const receiverText = writer.receiver.getText();
    const awaitPrefix = isAsyncFunction(path) ? 'await ' : '';
    const statements: string[] = [];
    const families: string[] = [];
    for (const entry of missed) {
      const key = keyTextFor(entry, model, scope);
      if (!key) continue;
      statements.push(`${awaitPrefix}${writer.build(receiverText, key)};`);
      families.push(entry.family.display);
    }
    if (statements.length === 0) return undefined;
    const indent = indentationOf(anchor);
    const before = Node.isReturnStatement(anchor) || Node.isThrowStatement(anchor);
    const at = before ? anchor.getStart() : anchor.getEnd();
    // A delete that runs before the write lets a reader cache the old row again right away.
    if (write.getSourceFile() !== anchor.getSourceFile() || at < write.getEnd()) return undefined;
    const text = before ? statements.map((statement) => `${statement}\n${indent}`).join('') : statements.map((statement) => `\n${indent}${statement}`).join('');
    return { at, text, families };
  }
}

// ------------------------------------------------------------------ syntax helpers

function isFunctionLike(node: Node): boolean {
  return (
    Node.isFunctionDeclaration(node) ||
    Node.isFunctionExpression(node) ||
    Node.isArrowFunction(node) ||
    Node.isMethodDeclaration(node) ||
    Node.isGetAccessorDeclaration(node) ||
    Node.isSetAccessorDeclaration(node) ||
    Node.isConstructorDeclaration(node)
  );
}

function isWithin(outer: Node, inner: Node): boolean {
  return inner.getSourceFile() === outer.getSourceFile() && inner.getStart() >= outer.getStart() && inner.getEnd() <= outer.getEnd();
}

/** An arrow or function expression passed straight to a call: `tx => ...`, `rows.map(row => ...)`. */
function isInlineCallback(fn: Node): boolean {
  if (!Node.isArrowFunction(fn) && !Node.isFunctionExpression(fn)) return false;
  let node: Node = fn;
  let parent = node.getParent();
  while (parent && (Node.isParenthesizedExpression(parent) || Node.isAsExpression(parent))) {
    node = parent;
    parent = node.getParent();
  }
  return (Node.isCallExpression(parent) || Node.isNewExpression(parent)) && parent.getArguments().includes(node);
}

/**
 * Some value reads a variable declared inside the named function around `site` (not one of its
 * parameters): a result the flow analysis may have lost (rows pushed into an array, a loop variable).
 */
function mentionsLocal(values: Node[], site: Node): boolean {
  const owner = outerOwner(site);
  if (!owner) return true;
  const isLocal = (identifier: Node): boolean => {
    const parent = identifier.getParent();
    if (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === identifier) return false;
    if (Node.isPropertyAssignment(parent) && parent.getNameNode() === identifier) return false;
    const symbol = Node.isShorthandPropertyAssignment(parent) ? parent.getValueSymbol() : identifier.getSymbol();
    const declaration = symbol?.getDeclarations()[0];
    if (!declaration || !isWithin(owner, declaration)) return false;
    const parameter = Node.isParameterDeclaration(declaration) ? declaration : declaration.getFirstAncestorByKind(SyntaxKind.Parameter);
    return !(parameter && parameter.getParent() === owner);
  };
  return values.some((value) => {
    const expression = unwrap(value);
    if (Node.isIdentifier(expression)) return isLocal(expression);
    return expression.getDescendantsOfKind(SyntaxKind.Identifier).some(isLocal);
  });
}

/** The named function a node belongs to: callbacks (transactions, `withLock`, loops) are part of it. */
function outerOwner(node: Node): FunctionNode | undefined {
  let fn = enclosingFunction(node);
  while (fn && isInlineCallback(fn)) {
    const outer = enclosingFunction(fn);
    if (!outer) break;
    fn = outer;
  }
  return fn;
}

function isAsyncFunction(fn: Node): boolean {
  return (
    (Node.isFunctionDeclaration(fn) || Node.isFunctionExpression(fn) || Node.isArrowFunction(fn) || Node.isMethodDeclaration(fn)) &&
    fn.isAsync()
  );
}

function functionName(fn: Node): string | undefined {
  if (Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn)) return fn.getName();
  if (Node.isArrowFunction(fn) || Node.isFunctionExpression(fn)) {
    const holder = fn.getParent();
    if (Node.isVariableDeclaration(holder) || Node.isPropertyDeclaration(holder) || Node.isPropertyAssignment(holder)) return holder.getName();
  }
  return undefined;
}

function calleeName(call: CallExpression): string | undefined {
  const callee = unwrap(call.getExpression());
  if (Node.isIdentifier(callee)) return callee.getText();
  if (Node.isPropertyAccessExpression(callee)) return callee.getName();
  return undefined;
}

/** The project function a name refers to (through imports), when it is one with a body. */
function declaredFunctionOf(nameNode: Node): FunctionNode | undefined {
  const symbol = nameNode.getSymbol();
  const target = symbol?.getAliasedSymbol() ?? symbol;
  for (const declaration of target?.getDeclarations() ?? []) {
    const sourceFile = declaration.getSourceFile();
    if (sourceFile.isDeclarationFile() || sourceFile.isInNodeModules()) continue;
    if ((Node.isFunctionDeclaration(declaration) || Node.isMethodDeclaration(declaration)) && declaration.getBody()) return declaration;
    if (Node.isVariableDeclaration(declaration) || Node.isPropertyDeclaration(declaration) || Node.isPropertyAssignment(declaration)) {
      const initializer = declaration.getInitializer();
      const inner = initializer ? unwrap(initializer) : undefined;
      if (inner && (Node.isArrowFunction(inner) || Node.isFunctionExpression(inner))) return inner;
    }
  }
  return undefined;
}

/** `key` in `redis.set(key, ...)` when it is a parameter of a named function: that function is a key helper. */
function parameterTarget(keyArg: Node): { fn: FunctionNode; index: number; paramCount: number; rest: boolean } | undefined {
  const expression = unwrap(keyArg);
  if (!Node.isIdentifier(expression)) return undefined;
  const declaration = expression.getSymbol()?.getDeclarations()[0];
  if (!declaration || !Node.isParameterDeclaration(declaration)) return undefined;
  const fn = declaration.getParent();
  if (!isFunctionLike(fn) || !functionName(fn)) return undefined;
  const parameters = (fn as Node & { getParameters(): Node[] }).getParameters();
  return { fn, index: parameters.indexOf(declaration), paramCount: parameters.length, rest: declaration.isRestParameter() };
}

/**
 * A parameter with constant text around it (`prefix + '*'`, `${namespace}:*`), or the bare parameter:
 * pattern helpers such as `invalidateByPrefix(prefix)` build their MATCH pattern that way.
 */
function affixedParameter(expression: Node): { target: NonNullable<ReturnType<typeof parameterTarget>>; affix: { before: string; after: string } } | undefined {
  const parts = concatenationParts(unwrap(expression));
  if (!parts) return undefined;
  const parameters = parts.filter((part) => typeof part !== 'string');
  if (parameters.length !== 1) return undefined;
  const target = parameterTarget(parameters[0] as Node);
  if (!target) return undefined;
  const at = parts.indexOf(parameters[0]!);
  return {
    target,
    affix: { before: (parts.slice(0, at) as string[]).join(''), after: (parts.slice(at + 1) as string[]).join('') },
  };
}

/** `a + 'x' + b` or a template literal as constant strings and the expressions between them. */
function concatenationParts(expression: Node): Array<string | Node> | undefined {
  if (Node.isTemplateExpression(expression)) {
    const parts: Array<string | Node> = [expression.getHead().getLiteralText()];
    for (const span of expression.getTemplateSpans()) {
      const value = constantString(span.getExpression());
      parts.push(value ?? unwrap(span.getExpression()), span.getLiteral().getLiteralText());
    }
    return parts;
  }
  if (Node.isBinaryExpression(expression) && expression.getOperatorToken().getKind() === SyntaxKind.PlusToken) {
    const left = concatenationParts(unwrap(expression.getLeft()));
    const right = concatenationParts(unwrap(expression.getRight()));
    return left && right ? [...left, ...right] : undefined;
  }
  const value = constantString(expression);
  return [value ?? expression];
}

/**
 * The key expressions a delete argument stands for: spread and array arguments, `const` arrays
 * and `ids.map((id) => productKey(id))`. An undefined entry is a key that cannot be named.
 */
function keyLeaves(arg: Node, depth: number): Array<Node | undefined> {
  const expression = unwrap(Node.isSpreadElement(arg) ? arg.getExpression() : arg);
  if (depth > 4) return [expression];
  if (Node.isArrayLiteralExpression(expression)) return expression.getElements().flatMap((element) => keyLeaves(element, depth + 1));
  if (Node.isConditionalExpression(expression)) {
    return [...keyLeaves(expression.getWhenTrue(), depth + 1), ...keyLeaves(expression.getWhenFalse(), depth + 1)];
  }
  if (Node.isIdentifier(expression)) {
    const declaration = expression.getSymbol()?.getDeclarations()[0];
    if (Node.isVariableDeclaration(declaration) && declaration.getVariableStatement()?.getDeclarationKind() === 'const') {
      const initializer = declaration.getInitializer();
      const inner = initializer ? unwrap(initializer) : undefined;
      if (inner && (Node.isArrayLiteralExpression(inner) || isMapCall(inner))) return keyLeaves(inner, depth + 1);
    }
    return [expression];
  }
  if (isMapCall(expression)) {
    const mapper = unwrap(expression.getArguments()[0]!);
    const fn = Node.isArrowFunction(mapper) || Node.isFunctionExpression(mapper) ? mapper : Node.isIdentifier(mapper) ? declaredFunctionOf(mapper) : undefined;
    const returned = fn ? returnedExpression(fn) : undefined;
    return returned ? keyLeaves(returned, depth + 1) : [undefined];
  }
  return [expression];
}

function isMapCall(node: Node): node is CallExpression {
  if (!Node.isCallExpression(node)) return false;
  const callee = node.getExpression();
  return Node.isPropertyAccessExpression(callee) && (callee.getName() === 'map' || callee.getName() === 'flatMap') && node.getArguments().length >= 1;
}

function returnedExpression(fn: Node): Node | undefined {
  const body = (fn as Node & { getBody?(): Node | undefined }).getBody?.();
  if (!body) return undefined;
  if (!Node.isBlock(body)) return body;
  const returns = body.getDescendantsOfKind(SyntaxKind.ReturnStatement).filter((statement) => enclosingFunction(statement) === fn);
  return returns.length === 1 ? returns[0]!.getExpression() : undefined;
}

/** The MATCH pattern of a SCAN in each client's spelling. */
function scanMatchArgument(args: Node[]): Node | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = unwrap(args[i]!);
    if (constantString(arg)?.toUpperCase() === 'MATCH') return args[i + 1];
    if (Node.isObjectLiteralExpression(arg)) {
      for (const property of arg.getProperties()) {
        if (Node.isPropertyAssignment(property) && property.getName().toLowerCase() === 'match') return property.getInitializer();
      }
    }
  }
  return undefined;
}

/** `'NX'`, node-redis `{ NX: true }` / `{ condition: 'NX' }`, upstash `{ nx: true }`. */
function isOnlyIfAbsentOption(arg: Node): boolean {
  const expression = unwrap(arg);
  if (constantString(expression)?.toUpperCase() === 'NX') return true;
  if (!Node.isObjectLiteralExpression(expression)) return false;
  return expression.getProperties().some((property) => {
    if (!Node.isPropertyAssignment(property)) return false;
    const name = property.getName().toLowerCase();
    const value = property.getInitializer();
    if (name === 'nx') return value?.getKind() !== SyntaxKind.FalseKeyword;
    return name === 'condition' && constantString(value)?.toUpperCase() === 'NX';
  });
}

function defaultDeleteMethod(library: CacheLibrary): string {
  return library === 'keyv' ? 'delete' : 'del';
}

/** How to write another delete like this one, on the same client and in the same spelling. */
function deleteWriter(call: CacheCall): DeleteWriter | undefined {
  const callee = unwrap(call.call.getExpression());
  if (!Node.isPropertyAccessExpression(callee) && !Node.isElementAccessExpression(callee)) return undefined;
  const keepsSpelling = call.command === 'del' || call.command === 'unlink' || (call.client.library === 'keyv' && call.command === 'delete');
  const fallback = defaultDeleteMethod(call.client.library);
  if (call.client.batch || call.spelling === 'batchArray') {
    const origin = call.client.batch?.origin ?? call.call;
    if (!Node.isCallExpression(origin)) return undefined;
    const originCallee = unwrap(origin.getExpression());
    if (!Node.isPropertyAccessExpression(originCallee)) return undefined;
    const method = keepsSpelling && call.spelling === 'method' && Node.isIdentifier(call.commandNode) ? call.commandNode.getText() : fallback;
    return { receiver: originCallee.getExpression(), build: (receiver, key) => `${receiver}.${method}(${key})` };
  }
  const receiver = callee.getExpression();
  if (call.spelling === 'call' && keepsSpelling && Node.isPropertyAccessExpression(callee)) {
    const name = callee.getName();
    const command = call.commandNode.getText();
    return { receiver, build: (client, key) => `${client}.${name}(${command}, ${key})` };
  }
  if (call.spelling === 'sendCommand' && keepsSpelling) {
    const command = call.commandNode.getText();
    return { receiver, build: (client, key) => `${client}.sendCommand([${command}, ${key}])` };
  }
  const method = keepsSpelling && call.spelling === 'method' && Node.isIdentifier(call.commandNode) ? call.commandNode.getText() : fallback;
  return { receiver, build: (client, key) => `${client}.${method}(${key})` };
}

/** What to underline for a database write: the method that writes, not the whole chain. */
function reportNodeOf(call: Node): Node {
  if (Node.isTaggedTemplateExpression(call)) return call.getTag();
  if (!Node.isCallExpression(call)) return call;
  let current: Node = call;
  let outermostName: Node | undefined;
  while (Node.isCallExpression(current)) {
    const callee = unwrap(current.getExpression());
    if (!Node.isPropertyAccessExpression(callee)) break;
    outermostName ??= callee.getNameNode();
    if (writeVerbs.has(callee.getName())) return callee.getNameNode();
    let next: Node = unwrap(callee.getExpression());
    while (Node.isPropertyAccessExpression(next)) next = unwrap(next.getExpression());
    current = next;
  }
  return outermostName ?? call;
}

function reportNodeOfCall(call: CallExpression): Node {
  const callee = unwrap(call.getExpression());
  return Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : callee;
}

/** The statement of the write path that contains a call: new statements go right after it. */
function statementIn(path: FunctionNode, call: Node): Node | undefined {
  for (let node: Node | undefined = call; node && node !== path; node = node.getParent()) {
    const parent = node.getParent();
    if (Node.isBlock(parent) && enclosingFunction(node) === path && Node.isStatement(node)) return node;
  }
  return undefined;
}

function indentationOf(statement: Node): string {
  const text = statement.getSourceFile().getFullText();
  const lineStart = text.lastIndexOf('\n', statement.getStart() - 1) + 1;
  const leading = text.slice(lineStart, statement.getStart());
  return /^\s*$/.test(leading) ? leading : '';
}

// ------------------------------------------------------------------ writing a key in the write path's scope

/** What names mean at one point of the code. */
class ScopeAt {
  private symbols?: Map<string, import('ts-morph').Symbol>;

  constructor(readonly anchor: Node) {}

  private symbolNamed(name: string): import('ts-morph').Symbol | undefined {
    this.symbols ??= new Map(
      this.anchor.getSymbolsInScope(ts.SymbolFlags.Value | ts.SymbolFlags.Alias).map((symbol) => [symbol.getName(), symbol]),
    );
    return this.symbols.get(name);
  }

  /** The declaration a name resolves to here, when it is declared before this point. */
  declarationOf(name: string): Node | undefined {
    const symbol = this.symbolNamed(name);
    if (!symbol) return undefined;
    const target = symbol.getAliasedSymbol() ?? symbol;
    const declaration = target.getDeclarations()[0];
    const own = symbol.getDeclarations()[0];
    if (!declaration || !own) return undefined;
    if (
      own.getSourceFile() === this.anchor.getSourceFile() &&
      enclosingFunction(own) !== undefined &&
      !Node.isParameterDeclaration(own) &&
      own.getStart() >= this.anchor.getStart()
    ) {
      return undefined;
    }
    return declaration;
  }

  typeTextOf(name: string): string | undefined {
    const symbol = this.symbolNamed(name);
    return symbol?.getTypeAtLocation(this.anchor).getText(this.anchor);
  }

  /** True when an expression written elsewhere means the same thing here (module names, `this`). */
  usable(expression: Node): boolean {
    if (containsThis(expression) && thisOwner(expression) !== thisOwner(this.anchor)) return false;
    return referencedIdentifiers(expression).every((identifier) => {
      const declaration = resolvedDeclaration(identifier);
      return declaration !== undefined && this.declarationOf(identifier.getText()) === declaration;
    });
  }
}

function containsThis(node: Node): boolean {
  return Node.isThisExpression(node) || node.getDescendantsOfKind(SyntaxKind.ThisKeyword).length > 0;
}

/** The function or class body that decides what `this` is. */
function thisOwner(node: Node): Node | undefined {
  return node.getFirstAncestor(
    (ancestor) =>
      (isFunctionLike(ancestor) && !Node.isArrowFunction(ancestor)) || Node.isPropertyDeclaration(ancestor) || Node.isClassStaticBlockDeclaration(ancestor),
  );
}

/** Identifiers that name values (not property names after a dot or in an object literal). */
function referencedIdentifiers(expression: Node): Node[] {
  const all = Node.isIdentifier(expression) ? [expression] : expression.getDescendantsOfKind(SyntaxKind.Identifier);
  return all.filter((identifier) => {
    const parent = identifier.getParent();
    if (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === identifier) return false;
    if (Node.isPropertyAssignment(parent) && parent.getNameNode() === identifier) return false;
    return true;
  });
}

function resolvedDeclaration(identifier: Node): Node | undefined {
  const symbol = identifier.getSymbol();
  const target = symbol?.getAliasedSymbol() ?? symbol;
  return target?.getDeclarations()[0];
}

/** A `const key = productKey(id)` inside a function stands for its initializer. */
function expandLocalKey(expression: Node): Node {
  let current = unwrap(expression);
  for (let depth = 0; depth < 4 && Node.isIdentifier(current); depth++) {
    const declaration = current.getSymbol()?.getDeclarations()[0];
    if (
      !Node.isVariableDeclaration(declaration) ||
      declaration.getVariableStatement()?.getDeclarationKind() !== 'const' ||
      enclosingFunction(declaration) === undefined
    ) {
      break;
    }
    const initializer = declaration.getInitializer();
    if (!initializer) break;
    current = unwrap(initializer);
  }
  return current;
}

const placeholderPattern = /\{([A-Za-z_$][\w$]*)\}/g;
/** Names that say nothing about which entity they identify. */
const genericPlaceholders = new Set(['id', 'key', 'slug', 'uuid', 'pk', 'name', 'code', 'value']);

/** True when a literal word of the family names the model: `user:{id}:permissions` for `user`. */
function familyNamesModel(family: KeyFamily, model: string): boolean {
  const literal = family.display.replace(placeholderPattern, ' ');
  return literal.split(/[^A-Za-z0-9]+/).some((word) => word.length > 0 && normalizeModelName(word) === model);
}

/**
 * The key of a missed family written with what the write path has in scope: the fill site's own
 * expression when its helpers and constants are visible here and its variable parts are variables
 * of the same name and type (`categoryProductsKey(categoryId)`), otherwise a template literal of the
 * family (`category:${categoryId}:products`); constant families always can be written.
 */
function keyTextFor(entry: CatalogEntry, model: string, scope: ScopeAt): string | undefined {
  const placeholders = new Set([...entry.family.display.matchAll(placeholderPattern)].map((match) => match[1]!));
  // `category:{id}` in a write path of products: its `id` is a product id, not the category's.
  if ([...placeholders].some((name) => genericPlaceholders.has(name)) && !familyNamesModel(entry.family, model)) return undefined;
  for (const fill of entry.fills) {
    const text = reusedKeyText(fill, placeholders, scope);
    if (text) return text;
  }
  return templateKeyText(entry.family, scope);
}

function reusedKeyText(fill: FillSite, placeholders: ReadonlySet<string>, scope: ScopeAt): string | undefined {
  const expression = expandLocalKey(fill.keyExpression);
  if (containsThis(expression)) return undefined;
  for (const identifier of referencedIdentifiers(expression)) {
    const declaration = resolvedDeclaration(identifier);
    if (!declaration) return undefined;
    const name = identifier.getText();
    const local = enclosingFunction(declaration) !== undefined;
    if (!local) {
      if (scope.declarationOf(name) !== declaration) return undefined;
      continue;
    }
    // A variable part of the key: needs a variable of the same name and type here.
    const parent = identifier.getParent();
    if (!placeholders.has(name)) return undefined;
    if ((Node.isPropertyAccessExpression(parent) || Node.isCallExpression(parent)) && parent.getExpression() === identifier) return undefined;
    const here = scope.declarationOf(name);
    if (!here || !(Node.isVariableDeclaration(here) || Node.isParameterDeclaration(here) || Node.isBindingElement(here))) return undefined;
    const theirs = identifier.getType().getText(identifier);
    const ours = scope.typeTextOf(name);
    if (ours !== theirs && ours !== 'any') return undefined;
  }
  return expression.getText();
}

function templateKeyText(family: KeyFamily, scope: ScopeAt): string | undefined {
  if (family.constant) return `'${family.display.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  let text = '`';
  let last = 0;
  for (const match of family.display.matchAll(placeholderPattern)) {
    const name = match[1]!;
    const here = name === 'value' ? undefined : scope.declarationOf(name);
    if (!here || !(Node.isVariableDeclaration(here) || Node.isParameterDeclaration(here) || Node.isBindingElement(here))) return undefined;
    text += escapeTemplate(family.display.slice(last, match.index)) + '${' + name + '}';
    last = match.index! + match[0].length;
  }
  if (last === 0) return undefined;
  return text + escapeTemplate(family.display.slice(last)) + '`';
}

function escapeTemplate(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
}

// ------------------------------------------------------------------ globs

/**
 * A Redis glob as a regular expression. With `familyAware`, the subject is a family pattern whose
 * `*` parts stand for any text, so only a `*` of the glob may cover them: `category:*` covers
 * `category:*:products`, `category:1*` does not.
 */
function globRegExp(glob: string, familyAware: boolean): RegExp {
  const anyChar = familyAware ? '[^\\u0000]' : '.';
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') source += '.*';
    else if (ch === '?') source += anyChar;
    else if (ch === '\\' && i + 1 < glob.length) source += escapeRegExp(glob[++i]!);
    else if (ch === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close === -1) {
        source += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, close);
      const negated = body.startsWith('^');
      if (negated) body = body.slice(1);
      source += `[${negated ? '^' : ''}${familyAware && negated ? '\\u0000' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = close;
    } else source += escapeRegExp(ch);
  }
  return new RegExp(`^${source}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function globCovers(glob: string, familyPattern: string): boolean {
  return globRegExp(glob, true).test(familyPattern.replace(/\*/g, '\u0000'));
}

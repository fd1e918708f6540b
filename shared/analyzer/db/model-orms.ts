/**
 * Sequelize and Mongoose, which share the "model class with static query methods" style:
 * `Product.findAll(...)`, `Product.findByIdAndUpdate(...)`, `Product.find().lean().exec()`, and
 * instance methods on documents/rows that came from the model in the same code
 * (`const p = await Product.findByPk(id); await p.update(...)`, `new Product(data).save()`).
 *
 * Which of the two libraries a model belongs to comes from its declaration, else from methods only
 * one of them has (`findAll`, `findByPk` vs `find`, `countDocuments`), else from the file's imports,
 * else from other methods the file calls on the same identifier. A model whose library stays unknown
 * is not reported. A model imported from a project module the project does not hold counts when it
 * is named like a model (`Product`, `productModel`) and its module path says models/schemas/entities,
 * or when the method exists only in one of the two libraries.
 */
import { Node } from 'ts-morph';
import { methodCalls, unwrapExpression } from './chain';
import type { DbWriteKind } from './db-types';
import { makeOperation, hasTrueOption, objectKeys, Recognizer } from './operation';
import {
  asModel,
  classifyExpression,
  MONGOOSE_ONLY_METHODS,
  ModelReceiver,
  modelLibrary,
  Receiver,
  SEQUELIZE_ONLY_METHODS,
} from './receivers';
import { normalizeModelName } from './model-name';

const READS = new Set([
  'find', 'findOne', 'findById', 'findAll', 'findByPk', 'findAndCountAll', 'count', 'countDocuments', 'estimatedDocumentCount',
  'distinct', 'exists', 'aggregate', 'max', 'min', 'sum',
]);
const WRITES: Record<string, DbWriteKind> = {
  create: 'insert',
  insertMany: 'insert',
  bulkCreate: 'insert',
  findOrCreate: 'insert',
  findCreateFind: 'insert',
  update: 'update',
  updateOne: 'update',
  updateMany: 'update',
  findByIdAndUpdate: 'update',
  findOneAndUpdate: 'update',
  findOneAndReplace: 'update',
  replaceOne: 'update',
  increment: 'update',
  decrement: 'update',
  restore: 'update',
  upsert: 'upsert',
  destroy: 'delete',
  deleteOne: 'delete',
  deleteMany: 'delete',
  findByIdAndDelete: 'delete',
  findOneAndDelete: 'delete',
  findByIdAndRemove: 'delete',
  findOneAndRemove: 'delete',
  remove: 'delete',
  truncate: 'delete',
  bulkWrite: 'update',
};
const INSTANCE_WRITES: Record<string, DbWriteKind> = {
  update: 'update',
  updateOne: 'update',
  increment: 'update',
  decrement: 'update',
  restore: 'update',
  destroy: 'delete',
  deleteOne: 'delete',
  remove: 'delete',
};
/** Mongoose options argument position for methods that accept `{ upsert: true }`. */
const UPSERT_OPTION_INDEX: Record<string, number> = {
  updateOne: 2,
  updateMany: 2,
  replaceOne: 2,
  findOneAndUpdate: 2,
  findByIdAndUpdate: 2,
  findOneAndReplace: 2,
  update: 2,
};
const BULK_WRITE_KINDS: Record<string, DbWriteKind> = {
  insertOne: 'insert',
  updateOne: 'update',
  updateMany: 'update',
  replaceOne: 'update',
  deleteOne: 'delete',
  deleteMany: 'delete',
};

function bulkWriteKind(argument: Node | undefined): DbWriteKind {
  const node = argument ? unwrapExpression(argument) : undefined;
  if (!node || !Node.isArrayLiteralExpression(node)) return 'update';
  const kinds = new Set<DbWriteKind>();
  for (const element of node.getElements()) {
    for (const key of objectKeys(element) ?? []) {
      const kind = BULK_WRITE_KINDS[key];
      if (kind) kinds.add(kind);
    }
  }
  const [only] = kinds;
  return kinds.size === 1 && only ? only : 'update';
}

function modelFor(receiver: Receiver | undefined, method: string): ModelReceiver | undefined {
  const model = asModel(receiver);
  if (model) return model;
  // An import of a PascalCase name whose method only a model has: `Product.findByPk(...)`.
  if (receiver?.kind === 'moduleImport' && receiver.imported !== '*' && /^[A-Z]/.test(receiver.localName)
    && (MONGOOSE_ONLY_METHODS.has(method) || SEQUELIZE_ONLY_METHODS.has(method))) {
    return { kind: 'model', model: normalizeModelName(receiver.localName), localName: receiver.localName, declared: false };
  }
  return undefined;
}

export const recognizeModelOrm: Recognizer = (chain, ctx) => {
  const [first] = methodCalls(chain.steps);
  if (!first) return undefined;
  const receiver = classifyExpression(first.receiver, ctx);
  if (receiver?.kind === 'instance') {
    if (receiver.many) return undefined;
    const library = receiver.library
      ?? modelLibrary({ kind: 'model', model: receiver.model, localName: receiver.localName, declared: false }, undefined, ctx);
    if (!library) return undefined;
    if (first.name === 'save') {
      return makeOperation(library, 'write', receiver.isNew ? 'insert' : 'update', receiver.model, chain.head);
    }
    if (first.name === 'reload' && library === 'sequelize') return makeOperation(library, 'read', undefined, receiver.model, chain.head);
    const writeKind = INSTANCE_WRITES[first.name];
    if (!writeKind || receiver.isNew) return undefined;
    if (library === 'mongoose' && (first.name === 'destroy' || first.name === 'update' || first.name === 'increment')) return undefined;
    return makeOperation(library, 'write', writeKind, receiver.model, chain.head);
  }
  const model = modelFor(receiver, first.name);
  if (!model) return undefined;
  let writeKind = WRITES[first.name];
  if (!READS.has(first.name) && writeKind === undefined) return undefined;
  const library = modelLibrary(model, first.name, ctx);
  if (!library) return undefined;
  if (library === 'mongoose' && SEQUELIZE_ONLY_METHODS.has(first.name)) return undefined;
  if (library === 'sequelize' && MONGOOSE_ONLY_METHODS.has(first.name)) return undefined;
  if (writeKind === undefined) return makeOperation(library, 'read', undefined, model.model, chain.head);
  if (library === 'mongoose') {
    const optionIndex = UPSERT_OPTION_INDEX[first.name];
    if (optionIndex !== undefined && hasTrueOption(first.args[optionIndex], 'upsert')) writeKind = 'upsert';
    if (first.name === 'bulkWrite') writeKind = bulkWriteKind(first.args[0]);
  } else if (first.name === 'bulkCreate' && objectKeys(first.args[1])?.includes('updateOnDuplicate')) {
    writeKind = 'upsert';
  }
  return makeOperation(library, 'write', writeKind, model.model, chain.head);
};

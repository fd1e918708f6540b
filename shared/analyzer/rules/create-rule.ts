import { Node } from 'ts-morph';
import { RuleMeta, TextEdit } from '../types';
import type { FileModel, ProjectModel } from '../engine/models';
import type { CacheCall } from '../clients/cache-calls';

/** Builds the edits of one fix, ESLint's fixer API over character ranges. */
export interface Fixer {
  replaceText(node: Node, text: string): TextEdit;
  replaceRange(range: [number, number], text: string): TextEdit;
  insertTextBefore(node: Node, text: string): TextEdit;
  insertTextAfter(node: Node, text: string): TextEdit;
  remove(node: Node): TextEdit;
}

export type FixFunction = (fixer: Fixer) => TextEdit | TextEdit[] | null;

export interface ReportDescriptor {
  /** The node to underline, or a [from, to] pair of nodes. */
  node: Node | [Node, Node];
  messageId: string;
  data?: Record<string, string | number>;
  /** A fix that cannot change runtime behaviour. */
  fix?: FixFunction;
  suggest?: Array<{ messageId: string; data?: Record<string, string | number>; fix: FixFunction }>;
  related?: Array<{ node: Node; message: string }>;
}

export interface RuleContext<Options> {
  readonly id: string;
  readonly options: Options;
  readonly project: ProjectModel;
  report(descriptor: ReportDescriptor): void;
}

export interface FileRuleContext<Options> extends RuleContext<Options> {
  readonly file: FileModel;
}

/** What a file-scope rule listens to while one file is walked. */
export interface FileRuleListener {
  cacheCall?(call: CacheCall): void;
  fileEnd?(): void;
}

export interface ProjectRuleListener {
  projectEnd?(): void;
}

interface RuleBase<Options> {
  name: string;
  meta: RuleMeta;
  defaultOptions: Options;
}

export interface FileRule<Options = Record<string, unknown>> extends RuleBase<Options> {
  meta: RuleMeta & { scope: 'file' };
  create(context: FileRuleContext<Options>): FileRuleListener;
}

export interface ProjectRule<Options = Record<string, unknown>> extends RuleBase<Options> {
  meta: RuleMeta & { scope: 'project' };
  create(context: RuleContext<Options>): ProjectRuleListener;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = FileRule<any> | ProjectRule<any>;

export const docsBaseUrl = 'https://github.com/cachescope/cachescope/blob/main/docs/rules/';

/** Declares a rule; the docs URL is derived from the rule name so every rule points at its page. */
export function createRule<Options>(rule: Omit<FileRule<Options>, 'meta'> & { meta: Omit<RuleMeta, 'docs'> & { scope: 'file'; docs: Omit<RuleMeta['docs'], 'url'> } }): FileRule<Options>;
export function createRule<Options>(rule: Omit<ProjectRule<Options>, 'meta'> & { meta: Omit<RuleMeta, 'docs'> & { scope: 'project'; docs: Omit<RuleMeta['docs'], 'url'> } }): ProjectRule<Options>;
export function createRule(rule: { name: string; meta: Omit<RuleMeta, 'docs'> & { docs: Omit<RuleMeta['docs'], 'url'> }; defaultOptions: unknown; create: unknown }): AnyRule {
  return {
    ...rule,
    meta: { ...rule.meta, docs: { ...rule.meta.docs, url: `${docsBaseUrl}${rule.name}.md` } },
  } as AnyRule;
}

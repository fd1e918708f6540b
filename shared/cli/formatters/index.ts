import type { LintResult, RuleMeta } from '../../analyzer/types';
import { formatGithub } from './github';
import { formatJson } from './json';
import { formatSarif } from './sarif';
import { formatStylish } from './stylish';

export type FormatterName = 'stylish' | 'json' | 'sarif' | 'github';

export const FORMATTER_NAMES: readonly FormatterName[] = ['stylish', 'json', 'sarif', 'github'];

export interface RuleDescriptor {
  id: string;
  meta: RuleMeta;
}

export interface FormatContext {
  /** The lint root: paths in the output are made relative to it. */
  cwd: string;
  color: boolean;
  /** Every rule known to the run, in the order SARIF should list them. */
  rules: RuleDescriptor[];
  toolVersion: string;
  /** Home page of the tool, written as SARIF `tool.driver.informationUri` when given. */
  informationUri?: string;
}

export function isFormatterName(name: string): name is FormatterName {
  return (FORMATTER_NAMES as readonly string[]).includes(name);
}

export function formatResults(name: FormatterName, result: LintResult, ctx: FormatContext): string {
  switch (name) {
    case 'stylish':
      return formatStylish(result, ctx);
    case 'json':
      return formatJson(result);
    case 'sarif':
      return formatSarif(result, ctx);
    case 'github':
      return formatGithub(result, ctx);
    default: {
      const unknown: never = name;
      throw new Error(`Unknown formatter "${String(unknown)}". Use one of: ${FORMATTER_NAMES.join(', ')}.`);
    }
  }
}

export { formatGithub, formatJson, formatSarif, formatStylish };

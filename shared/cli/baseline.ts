import * as fs from 'fs';
import type { FileResult, Finding, LintResult } from '../analyzer/types';
import { portableRelativePath } from './formatters/paths';

export const BASELINE_VERSION = 1;

/** Known findings to tolerate: relative path → rule id → fingerprint → how many findings share it. */
export type BaselineFindings = Record<string, Record<string, Record<string, number>>>;

export interface BaselineFile {
  version: typeof BASELINE_VERSION;
  tool: 'cachescope';
  findings: BaselineFindings;
}

export interface BaselineApplication {
  result: LintResult;
  suppressedCount: number;
}

/** A baseline file that is missing, unreadable or not in the expected shape. */
export class BaselineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineError';
  }
}

/**
 * Parse errors say that a file could not be analysed at all; tolerating them would silently hide
 * every later finding in that file, so they are never recorded and never suppressed.
 */
function isBaselinable(finding: Finding): boolean {
  return finding.fatal !== true;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedRecord<T>(record: Record<string, T>, mapValue: (value: T) => T): Record<string, T> {
  const sorted: Record<string, T> = {};
  for (const key of Object.keys(record).sort(compareCodeUnits)) sorted[key] = mapValue(record[key]);
  return sorted;
}

export function createBaseline(result: LintResult, cwd: string): BaselineFile {
  const findings: BaselineFindings = {};
  for (const file of result.results) {
    for (const finding of file.findings) {
      if (!isBaselinable(finding)) continue;
      const relativePath = portableRelativePath(cwd, finding.filePath);
      const byRule = (findings[relativePath] ??= {});
      const byFingerprint = (byRule[finding.ruleId] ??= {});
      byFingerprint[finding.fingerprint] = (byFingerprint[finding.fingerprint] ?? 0) + 1;
    }
  }
  // Sorted keys keep the committed file's diffs limited to findings that really changed.
  const sortedFindings = sortedRecord(findings, (byRule) =>
    sortedRecord(byRule, (byFingerprint) => sortedRecord(byFingerprint, (count) => count)),
  );
  return { version: BASELINE_VERSION, tool: 'cachescope', findings: sortedFindings };
}

/** The baseline as file text: two-space indentation and a final newline, as editors and diffs expect. */
export function serializeBaseline(baseline: BaselineFile): string {
  return `${JSON.stringify(baseline, null, 2)}\n`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the shape of a parsed baseline; `sourceName` names the file in error messages. */
export function parseBaseline(text: string, sourceName: string): BaselineFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(`Baseline file ${sourceName} is not valid JSON: ${(error as Error).message}`);
  }
  const notABaseline = (reason: string): BaselineError =>
    new BaselineError(`Baseline file ${sourceName} is not a CacheScope baseline: ${reason}`);

  if (!isPlainObject(data)) throw notABaseline('expected a JSON object at the top level.');
  if (data.tool !== 'cachescope') throw notABaseline(`"tool" must be "cachescope", found ${JSON.stringify(data.tool)}.`);
  if (data.version !== BASELINE_VERSION) {
    throw notABaseline(`unsupported "version" ${JSON.stringify(data.version)}; this CacheScope reads version ${BASELINE_VERSION}.`);
  }
  if (!isPlainObject(data.findings)) throw notABaseline('"findings" must be an object.');

  const findings: BaselineFindings = {};
  for (const [relativePath, byRule] of Object.entries(data.findings)) {
    if (!isPlainObject(byRule)) throw notABaseline(`findings[${JSON.stringify(relativePath)}] must be an object.`);
    findings[relativePath] = {};
    for (const [ruleId, byFingerprint] of Object.entries(byRule)) {
      const where = `findings[${JSON.stringify(relativePath)}][${JSON.stringify(ruleId)}]`;
      if (!isPlainObject(byFingerprint)) throw notABaseline(`${where} must be an object.`);
      findings[relativePath][ruleId] = {};
      for (const [fingerprint, count] of Object.entries(byFingerprint)) {
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
          throw notABaseline(`${where}[${JSON.stringify(fingerprint)}] must be a positive whole number, found ${JSON.stringify(count)}.`);
        }
        findings[relativePath][ruleId][fingerprint] = count;
      }
    }
  }
  return { version: BASELINE_VERSION, tool: 'cachescope', findings };
}

export function readBaseline(filePath: string): BaselineFile {
  let text: string;
  try {
    text = fs.readFileSync(filePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new BaselineError(`Baseline file not found: ${filePath}`);
    }
    if (code === 'EISDIR') throw new BaselineError(`Baseline path ${filePath} is a directory, not a file.`);
    throw new BaselineError(`Cannot read baseline file ${filePath}: ${(error as Error).message}`);
  }
  return parseBaseline(text, filePath);
}

function budgetKey(relativePath: string, ruleId: string, fingerprint: string): string {
  return JSON.stringify([relativePath, ruleId, fingerprint]);
}

/**
 * Drops findings the baseline already knows. Each baseline entry tolerates as many findings as its
 * count, so a second copy of a known problem still shows up. Summary counts are recomputed from
 * what remains.
 */
export function applyBaseline(result: LintResult, baseline: BaselineFile, cwd: string): BaselineApplication {
  const remainingBudget = new Map<string, number>();
  for (const [relativePath, byRule] of Object.entries(baseline.findings)) {
    for (const [ruleId, byFingerprint] of Object.entries(byRule)) {
      for (const [fingerprint, count] of Object.entries(byFingerprint)) {
        remainingBudget.set(budgetKey(relativePath, ruleId, fingerprint), count);
      }
    }
  }

  let suppressedCount = 0;
  const results: FileResult[] = result.results.map((file) => {
    const findings = file.findings.filter((finding) => {
      if (!isBaselinable(finding)) return true;
      const key = budgetKey(portableRelativePath(cwd, finding.filePath), finding.ruleId, finding.fingerprint);
      const budget = remainingBudget.get(key) ?? 0;
      if (budget === 0) return true;
      remainingBudget.set(key, budget - 1);
      suppressedCount++;
      return false;
    });
    return { ...file, findings };
  });

  const remaining = results.flatMap((file) => file.findings);
  const summary = {
    ...result.summary,
    errorCount: remaining.filter((finding) => finding.fatal === true || finding.severity === 'error').length,
    warningCount: remaining.filter((finding) => finding.fatal !== true && finding.severity === 'warning').length,
    fixableCount: remaining.filter((finding) => (finding.fix?.edits.length ?? 0) > 0).length,
  };
  return { result: { results, summary }, suppressedCount };
}

import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type * as Sarif from 'sarif';
import { describe, expect, it } from 'vitest';
import type { Finding, LintResult, RuleMeta } from '../../analyzer/types';
import type { FormatContext, RuleDescriptor } from './index';
import { FINGERPRINT_KEY, formatSarif } from './sarif';

const schemaPath = path.resolve(__dirname, '../../../test/schemas/sarif-2.1.0.json');
const sarifSchema = JSON.parse(fs.readFileSync(schemaPath, 'utf8')) as object;

function sarifValidator() {
  // The schema's `language` pattern has a stray `]` that only non-Unicode regular expressions accept.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(sarifSchema);
}
const validateSarif = sarifValidator();

function meta(overrides: Partial<RuleMeta['docs']> = {}, extra: Partial<RuleMeta> = {}): RuleMeta {
  return {
    type: 'problem',
    docs: { description: 'Cache writes must set a TTL.', url: 'https://example.org/rules/no-missing-ttl', defaultLevel: 'error', ...overrides },
    messages: { missingTtl: 'Key has no TTL.' },
    schema: {},
    scope: 'file',
    ...extra,
  };
}

const rules: RuleDescriptor[] = [
  { id: 'no-missing-ttl', meta: meta({}, { fixable: 'code', hasSuggestions: true }) },
  {
    id: 'no-loop-reads',
    meta: meta({ description: 'Batch cache reads made in loops.', url: 'https://example.org/rules/no-loop-reads', defaultLevel: 'warn' }, { type: 'suggestion' }),
  },
];

const ctx: FormatContext = { cwd: '/home/dev/my app', color: false, rules, toolVersion: '1.2.3', informationUri: 'https://example.org/cachescope' };

function finding(overrides: Partial<Finding> & Pick<Finding, 'filePath' | 'ruleId'>): Finding {
  return {
    severity: 'warning',
    messageId: 'default',
    message: 'Something about the cache',
    range: [10, 20],
    location: { start: { line: 2, column: 3 }, end: { line: 2, column: 13 } },
    fingerprint: `${overrides.ruleId}:fp`,
    ...overrides,
  };
}

function lintResult(findings: Finding[]): LintResult {
  return {
    results: [...new Set(findings.map((f) => f.filePath))].map((filePath) => ({ filePath, findings: findings.filter((f) => f.filePath === filePath) })),
    summary: { filesLinted: 1, filesSkippedByGate: 0, filesParsed: 1, errorCount: 0, warningCount: 0, fixableCount: 0, durationMs: 1 },
  };
}

function sarifOf(result: LintResult, context: FormatContext = ctx): Sarif.Log {
  const log = JSON.parse(formatSarif(result, context)) as Sarif.Log;
  const valid = validateSarif(log);
  expect(validateSarif.errors ?? [], 'output must satisfy the SARIF 2.1.0 schema').toEqual([]);
  expect(valid).toBe(true);
  return log;
}

const fullFinding = finding({
  filePath: '/home/dev/my app/src/cache.ts',
  ruleId: 'no-missing-ttl',
  severity: 'error',
  messageId: 'missingTtl',
  message: 'Key has no TTL.',
  fingerprint: 'no-missing-ttl:src/cache.ts:redis.set(key,value):0',
  fix: { edits: [{ range: [47, 47], text: ', "EX", 60' }] },
  suggestions: [
    {
      messageId: 'addTtl',
      desc: 'Add a one-hour TTL',
      fix: {
        edits: [
          { range: [60, 64], text: '' },
          { range: [47, 47], text: ', "EX", 3600' },
        ],
      },
    },
  ],
  relatedLocations: [
    { filePath: '/home/dev/my app/src/keys.ts', location: { start: { line: 4, column: 1 }, end: { line: 4, column: 20 } }, message: 'Key built here' },
  ],
});

describe('formatSarif', () => {
  it('rejects a log the schema forbids, so the validation below means something', () => {
    expect(validateSarif({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
    expect(validateSarif({ version: '2.0.0', runs: [] })).toBe(false);
  });

  it('describes the tool and every rule', () => {
    const log = sarifOf(lintResult([]));
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const driver = log.runs[0].tool.driver;
    expect(driver).toMatchObject({ name: 'CacheScope', semanticVersion: '1.2.3', informationUri: 'https://example.org/cachescope' });
    expect(driver.rules).toEqual([
      {
        id: 'no-missing-ttl',
        name: 'NoMissingTtl',
        shortDescription: { text: 'Cache writes must set a TTL.' },
        fullDescription: {
          text: 'Cache writes must set a TTL. Some findings have automatic fixes that do not change runtime behaviour. Some findings offer suggested fixes to review before applying.',
        },
        helpUri: 'https://example.org/rules/no-missing-ttl',
        defaultConfiguration: { level: 'error' },
        properties: { tags: ['cache', 'problem'] },
      },
      {
        id: 'no-loop-reads',
        name: 'NoLoopReads',
        shortDescription: { text: 'Batch cache reads made in loops.' },
        fullDescription: { text: 'Batch cache reads made in loops.' },
        helpUri: 'https://example.org/rules/no-loop-reads',
        defaultConfiguration: { level: 'warning' },
        properties: { tags: ['cache', 'suggestion'] },
      },
    ]);
    expect(log.runs[0].results).toEqual([]);
    expect(log.runs[0].originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///home/dev/my%20app/' } });
  });

  it('writes a result with locations, fingerprint, related locations and all proposed fixes', () => {
    const log = sarifOf(lintResult([fullFinding, finding({ filePath: '/home/dev/my app/src/cache.ts', ruleId: 'no-loop-reads' })]));
    const [first, second] = log.runs[0].results ?? [];
    expect(first).toEqual({
      ruleId: 'no-missing-ttl',
      ruleIndex: 0,
      level: 'error',
      message: { text: 'Key has no TTL.' },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'src/cache.ts', uriBaseId: '%SRCROOT%' },
            region: { startLine: 2, startColumn: 3, endLine: 2, endColumn: 13 },
          },
        },
      ],
      partialFingerprints: { [FINGERPRINT_KEY]: 'no-missing-ttl:src/cache.ts:redis.set(key,value):0' },
      relatedLocations: [
        {
          id: 1,
          physicalLocation: {
            artifactLocation: { uri: 'src/keys.ts', uriBaseId: '%SRCROOT%' },
            region: { startLine: 4, startColumn: 1, endLine: 4, endColumn: 20 },
          },
          message: { text: 'Key built here' },
        },
      ],
      fixes: [
        {
          description: { text: 'Automatic fix that does not change runtime behaviour.' },
          artifactChanges: [
            {
              artifactLocation: { uri: 'src/cache.ts', uriBaseId: '%SRCROOT%' },
              replacements: [{ deletedRegion: { charOffset: 47, charLength: 0 }, insertedContent: { text: ', "EX", 60' } }],
            },
          ],
        },
        {
          description: { text: 'Add a one-hour TTL' },
          artifactChanges: [
            {
              artifactLocation: { uri: 'src/cache.ts', uriBaseId: '%SRCROOT%' },
              replacements: [
                { deletedRegion: { charOffset: 47, charLength: 0 }, insertedContent: { text: ', "EX", 3600' } },
                { deletedRegion: { charOffset: 60, charLength: 4 } },
              ],
            },
          ],
        },
      ],
    });
    expect(second).toMatchObject({ ruleId: 'no-loop-reads', ruleIndex: 1, level: 'warning' });
  });

  it('leaves ruleIndex out for a rule the run does not describe', () => {
    const log = sarifOf(lintResult([finding({ filePath: '/home/dev/my app/a.ts', ruleId: 'plugin-rule' })]));
    const [result] = log.runs[0].results ?? [];
    expect(result.ruleId).toBe('plugin-rule');
    expect(result).not.toHaveProperty('ruleIndex');
  });

  it('percent-encodes spaces, non-ASCII and reserved characters in relative URIs', () => {
    const log = sarifOf(
      lintResult([
        finding({ filePath: '/home/dev/my app/src/my file.ts', ruleId: 'no-loop-reads' }),
        finding({ filePath: '/home/dev/my app/src/ключ/кэш.ts', ruleId: 'no-loop-reads' }),
        finding({ filePath: '/home/dev/my app/src/100%#[x].ts', ruleId: 'no-loop-reads' }),
      ]),
    );
    const uris = (log.runs[0].results ?? []).map((r) => r.locations?.[0].physicalLocation?.artifactLocation?.uri);
    expect(uris).toEqual([
      'src/my%20file.ts',
      'src/%D0%BA%D0%BB%D1%8E%D1%87/%D0%BA%D1%8D%D1%88.ts',
      'src/100%25%23%5Bx%5D.ts',
    ]);
    expect(decodeURIComponent(uris[1] ?? '')).toBe('src/ключ/кэш.ts');
  });

  it('uses an absolute file URI for a file outside the lint root', () => {
    const log = sarifOf(lintResult([finding({ filePath: '/home/dev/shared lib/x.ts', ruleId: 'no-loop-reads' })]));
    const location = log.runs[0].results?.[0].locations?.[0].physicalLocation?.artifactLocation;
    expect(location).toEqual({ uri: 'file:///home/dev/shared%20lib/x.ts' });
  });

  it('turns Windows paths into forward-slash URIs', () => {
    const windows: FormatContext = { ...ctx, cwd: 'C:\\Users\\dev\\My App' };
    const log = sarifOf(
      lintResult([
        finding({ filePath: 'C:\\Users\\dev\\My App\\src\\cache store.ts', ruleId: 'no-loop-reads' }),
        finding({ filePath: 'D:\\shared\\keys.ts', ruleId: 'no-loop-reads' }),
      ]),
      windows,
    );
    const run = log.runs[0];
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///C:/Users/dev/My%20App/' } });
    expect(run.results?.map((r) => r.locations?.[0].physicalLocation?.artifactLocation)).toEqual([
      { uri: 'src/cache%20store.ts', uriBaseId: '%SRCROOT%' },
      { uri: 'file:///D:/shared/keys.ts' },
    ]);
  });

  it('reports parse errors as tool execution notifications rather than results', () => {
    const log = sarifOf(
      lintResult([
        finding({ filePath: '/home/dev/my app/broken.ts', ruleId: 'parse-error', severity: 'error', fatal: true, message: "'}' expected." }),
      ]),
    );
    const run = log.runs[0];
    expect(run.results).toEqual([]);
    expect(run.invocations?.[0].executionSuccessful).toBe(true);
    expect(run.invocations?.[0].toolExecutionNotifications).toEqual([
      {
        level: 'error',
        message: { text: "'}' expected." },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: 'broken.ts', uriBaseId: '%SRCROOT%' },
              region: { startLine: 2, startColumn: 3, endLine: 2, endColumn: 13 },
            },
          },
        ],
        descriptor: { id: 'parse-error' },
      },
    ]);
  });

  it('omits informationUri when none is known', () => {
    const { informationUri: _unused, ...withoutUri } = ctx;
    const log = sarifOf(lintResult([]), withoutUri);
    expect(log.runs[0].tool.driver).not.toHaveProperty('informationUri');
  });
});

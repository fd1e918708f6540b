import type * as Sarif from 'sarif';
import type { Finding, Fix, LintResult, RuleMeta, Severity, SourceLocation } from '../../analyzer/types';
import type { FormatContext, RuleDescriptor } from './index';
import { directoryUri, encodeUriPath, fileUri, isOutsideRoot, pathApiFor, portableRelativePath } from './paths';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SOURCE_ROOT_BASE_ID = '%SRCROOT%';
export const FINGERPRINT_KEY = 'cachescopeFingerprint/v1';
const TOOL_NAME = 'CacheScope';

function levelOf(severity: Severity): Sarif.Result.level {
  return severity === 'error' ? 'error' : 'warning';
}

function defaultLevelOf(meta: RuleMeta): Sarif.ReportingConfiguration.level {
  return meta.docs.defaultLevel === 'error' ? 'error' : 'warning';
}

/** SARIF wants `name` to be an identifier people recognise: `no-unbounded-ttl` becomes `NoUnboundedTtl`. */
function ruleNameOf(ruleId: string): string {
  return ruleId
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

function fullDescriptionOf(meta: RuleMeta): string {
  const sentences = [meta.docs.description];
  if (meta.fixable === 'code') sentences.push('Some findings have automatic fixes that do not change runtime behaviour.');
  if (meta.hasSuggestions) sentences.push('Some findings offer suggested fixes to review before applying.');
  return sentences.join(' ');
}

function toReportingDescriptor(rule: RuleDescriptor): Sarif.ReportingDescriptor {
  return {
    id: rule.id,
    name: ruleNameOf(rule.id),
    shortDescription: { text: rule.meta.docs.description },
    fullDescription: { text: fullDescriptionOf(rule.meta) },
    helpUri: rule.meta.docs.url,
    defaultConfiguration: { level: defaultLevelOf(rule.meta) },
    properties: { tags: ['cache', rule.meta.type] },
  };
}

function artifactLocationOf(cwd: string, filePath: string): Sarif.ArtifactLocation {
  const relative = portableRelativePath(cwd, filePath);
  if (isOutsideRoot(relative)) return { uri: fileUri(pathApiFor(cwd).resolve(cwd, filePath)) };
  return { uri: encodeUriPath(relative), uriBaseId: SOURCE_ROOT_BASE_ID };
}

function regionOf(location: SourceLocation): Sarif.Region {
  return {
    startLine: location.start.line,
    startColumn: location.start.column,
    endLine: location.end.line,
    endColumn: location.end.column,
  };
}

function physicalLocationOf(cwd: string, filePath: string, location: SourceLocation): Sarif.PhysicalLocation {
  return { artifactLocation: artifactLocationOf(cwd, filePath), region: regionOf(location) };
}

function toSarifFix(cwd: string, filePath: string, fix: Fix, description: string): Sarif.Fix {
  const replacements = [...fix.edits]
    .sort((a, b) => a.range[0] - b.range[0])
    .map((edit): Sarif.Replacement => {
      const replacement: Sarif.Replacement = {
        deletedRegion: { charOffset: edit.range[0], charLength: edit.range[1] - edit.range[0] },
      };
      // An absent insertedContent is SARIF's way of saying "pure deletion".
      if (edit.text !== '') replacement.insertedContent = { text: edit.text };
      return replacement;
    });
  return {
    description: { text: description },
    artifactChanges: [{ artifactLocation: artifactLocationOf(cwd, filePath), replacements }],
  };
}

function fixesOf(cwd: string, finding: Finding): Sarif.Fix[] {
  const fixes: Sarif.Fix[] = [];
  if (finding.fix && finding.fix.edits.length > 0) {
    fixes.push(toSarifFix(cwd, finding.filePath, finding.fix, 'Automatic fix that does not change runtime behaviour.'));
  }
  for (const suggestion of finding.suggestions ?? []) {
    if (suggestion.fix.edits.length > 0) fixes.push(toSarifFix(cwd, finding.filePath, suggestion.fix, suggestion.desc));
  }
  return fixes;
}

function toSarifResult(cwd: string, finding: Finding, ruleIndexById: Map<string, number>): Sarif.Result {
  const result: Sarif.Result = {
    ruleId: finding.ruleId,
    level: levelOf(finding.severity),
    message: { text: finding.message },
    locations: [{ physicalLocation: physicalLocationOf(cwd, finding.filePath, finding.location) }],
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
  };
  const ruleIndex = ruleIndexById.get(finding.ruleId);
  if (ruleIndex !== undefined) result.ruleIndex = ruleIndex;
  if (finding.relatedLocations && finding.relatedLocations.length > 0) {
    result.relatedLocations = finding.relatedLocations.map((related, index) => ({
      id: index + 1,
      physicalLocation: physicalLocationOf(cwd, related.filePath, related.location),
      message: { text: related.message },
    }));
  }
  const fixes = fixesOf(cwd, finding);
  if (fixes.length > 0) result.fixes = fixes;
  return result;
}

/** A file the linter could not analyse is a fact about the run, not a code-quality result. */
function toExecutionNotification(cwd: string, finding: Finding): Sarif.Notification {
  const notification: Sarif.Notification = {
    level: 'error',
    message: { text: finding.message },
    locations: [{ physicalLocation: physicalLocationOf(cwd, finding.filePath, finding.location) }],
  };
  if (finding.ruleId !== '') notification.descriptor = { id: finding.ruleId };
  return notification;
}

export function buildSarifLog(result: LintResult, ctx: FormatContext): Sarif.Log {
  const ruleIndexById = new Map(ctx.rules.map((rule, index) => [rule.id, index] as const));
  const results: Sarif.Result[] = [];
  const notifications: Sarif.Notification[] = [];
  for (const file of result.results) {
    for (const finding of file.findings) {
      if (finding.fatal) notifications.push(toExecutionNotification(ctx.cwd, finding));
      else results.push(toSarifResult(ctx.cwd, finding, ruleIndexById));
    }
  }

  const driver: Sarif.ToolComponent = {
    name: TOOL_NAME,
    semanticVersion: ctx.toolVersion,
    rules: ctx.rules.map(toReportingDescriptor),
  };
  if (ctx.informationUri) driver.informationUri = ctx.informationUri;

  const invocation: Sarif.Invocation = { executionSuccessful: true };
  if (notifications.length > 0) invocation.toolExecutionNotifications = notifications;

  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver },
        invocations: [invocation],
        originalUriBaseIds: {
          [SOURCE_ROOT_BASE_ID]: { uri: directoryUri(pathApiFor(ctx.cwd).resolve(ctx.cwd)) },
        },
        // Positions come from the TypeScript compiler, which counts UTF-16 code units.
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

export function formatSarif(result: LintResult, ctx: FormatContext): string {
  return `${JSON.stringify(buildSarifLog(result, ctx), null, 2)}\n`;
}

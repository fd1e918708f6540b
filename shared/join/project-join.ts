import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KeyRecord } from '../inspector/scan';
import type { InspectReport } from '../inspector/report';
import { CodeAndLiveReport, joinTallyWithReport, JoinFinding, JoinThresholds } from './join';
import { LiveTally } from './live-tally';
import { projectKeyIndex, ProjectKeyIndex } from './project-key-index';

/** `cachescope inspect --project <dir>`: the project's key index, the tally to feed while scanning, and the join after. */
export interface ProjectJoin {
  index: ProjectKeyIndex;
  /** Pass as the inspection's `onKey`. */
  onKey(record: KeyRecord): void;
  finish(report: InspectReport): CodeAndLiveReport;
}

export class ProjectJoinError extends Error {}

export function prepareProjectJoin(
  dir: string,
  options: { cwd?: string; keyPrefix?: string; delimiter?: string; depth?: number; thresholds?: Partial<JoinThresholds> } = {},
): ProjectJoin {
  const root = path.resolve(options.cwd ?? process.cwd(), dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new ProjectJoinError(`--project ${dir}: not a directory`);
  const index = projectKeyIndex(root);
  const tally = new LiveTally(index.families, { keyPrefix: options.keyPrefix, delimiter: options.delimiter, depth: options.depth });
  return {
    index,
    onKey: tally.onKey,
    finish: (report) => joinTallyWithReport(index.families, tally, report, options.thresholds),
  };
}

/** The join's findings that `--fail-on` counts: warn and error (info findings are observations). */
export function failingFindings(report: CodeAndLiveReport | undefined, failOn: 'warn' | 'error'): JoinFinding[] {
  return (report?.findings ?? []).filter((finding) => finding.level === 'error' || (failOn === 'warn' && finding.level === 'warn'));
}

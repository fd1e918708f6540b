import { Node, SourceFile, SyntaxKind } from 'ts-morph';

/**
 * Inline suppression comments, ESLint-style:
 *   // cachescope-disable-next-line require-ttl -- queue, not cache
 *   // cachescope-disable-line no-keys-command
 *   /* cachescope-disable require-ttl-jitter *\/   (the whole file)
 * With no rule list a directive suppresses every rule. A directive that suppresses nothing is
 * reported, so stale suppressions do not pile up.
 */
export interface Directive {
  kind: 'disable-next-line' | 'disable-line' | 'disable';
  /** Rule ids; empty means every rule. */
  rules: string[];
  /** The line (1-based) the directive applies to; 0 for file-wide directives. */
  targetLine: number;
  /** Range of the whole comment, for the unused-directive fix. */
  commentRange: [number, number];
  /** Range of each rule id inside the comment, parallel to `rules`. */
  ruleRanges: Array<[number, number]>;
  used: Set<string>;
  usedAll: boolean;
}

const directivePattern = /(\/\/|\/\*)\s*cachescope-(disable-next-line|disable-line|disable)\b([^\n]*?)(\*\/|$)/gm;

export function parseDirectives(sourceFile: SourceFile): Directive[] {
  const text = sourceFile.getFullText();
  if (!text.includes('cachescope-disable')) return [];
  const directives: Directive[] = [];
  directivePattern.lastIndex = 0;
  for (let match = directivePattern.exec(text); match; match = directivePattern.exec(text)) {
    const start = match.index;
    if (!isInComment(sourceFile, start)) continue;
    const isBlock = match[1] === '/*';
    if (isBlock && match[4] !== '*/') continue;
    const kind = match[2] as Directive['kind'];
    const bodyStart = start + match[0].indexOf(match[2]) + match[2].length;
    const body = match[3];
    const withoutReason = body.split(/\s--\s|\s--$/)[0];
    const rules: string[] = [];
    const ruleRanges: Array<[number, number]> = [];
    const idPattern = /[A-Za-z0-9@/_-]+/g;
    for (let id = idPattern.exec(withoutReason); id; id = idPattern.exec(withoutReason)) {
      rules.push(id[0]);
      ruleRanges.push([bodyStart + id.index, bodyStart + id.index + id[0].length]);
    }
    const line = sourceFile.compilerNode.getLineAndCharacterOfPosition(start).line + 1;
    const end = isBlock ? start + match[0].length : start + match[0].length;
    directives.push({
      kind,
      rules,
      ruleRanges,
      targetLine: kind === 'disable-next-line' ? line + 1 : kind === 'disable-line' ? line : 0,
      commentRange: [start, end],
      used: new Set(),
      usedAll: false,
    });
  }
  return directives;
}

/** True when `pos` starts a real comment, not text inside a string or template literal. */
function isInComment(sourceFile: SourceFile, pos: number): boolean {
  const node = sourceFile.getDescendantAtPos(pos);
  if (!node) return true;
  if (node.getStart() > pos) return true;
  const kind = node.getKind();
  return !(
    kind === SyntaxKind.StringLiteral ||
    kind === SyntaxKind.NoSubstitutionTemplateLiteral ||
    kind === SyntaxKind.TemplateHead ||
    kind === SyntaxKind.TemplateMiddle ||
    kind === SyntaxKind.TemplateTail ||
    kind === SyntaxKind.RegularExpressionLiteral ||
    Node.isJsxText(node)
  );
}

/** Marks and returns whether a finding of `ruleId` on `line` is suppressed. */
export function isSuppressed(directives: Directive[], ruleId: string, line: number): boolean {
  let suppressed = false;
  for (const directive of directives) {
    if (directive.targetLine !== 0 && directive.targetLine !== line) continue;
    if (directive.rules.length === 0) {
      directive.usedAll = true;
      suppressed = true;
    } else if (directive.rules.includes(ruleId)) {
      directive.used.add(ruleId);
      suppressed = true;
    }
  }
  return suppressed;
}

/**
 * A regex pass over raw file text that finds module specifiers without parsing. It runs on every
 * file of a lint run, so it must be cheap; it may over-report (a specifier in a comment or string
 * is harmless: the file is then parsed and analysed precisely) but must not miss real imports.
 */

const specifierPattern =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+|\bexport\s*\*\s*from\s*)(['"`])([^'"`\n]+)\1/g;

export function scanImportSpecifiers(text: string): string[] {
  const found = new Set<string>();
  specifierPattern.lastIndex = 0;
  for (let match = specifierPattern.exec(text); match; match = specifierPattern.exec(text)) {
    found.add(match[2]);
  }
  return [...found];
}

/** True when a specifier names a file of the project rather than a package. */
export function isRelativeSpecifier(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..';
}

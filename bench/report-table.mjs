/** A plain-text table for benchmark reports: the first row is the header, the first column left-aligned. */
export function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  return rows
    .map((row, index) => {
      const line = row.map((cell, column) => (column === 0 ? String(cell).padEnd(widths[column]) : String(cell).padStart(widths[column]))).join('   ');
      return index === 0 ? `${line}\n${widths.map((width) => '-'.repeat(width)).join('   ')}` : line;
    })
    .join('\n');
}

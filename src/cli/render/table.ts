/**
 * Aligned columns. Widths are measured on the plain text and colour is applied
 * after padding, so coloured and plain tables line up the same way.
 */
export interface Cell {
  text: string;
  paint?: (text: string) => string;
}

export type CellInput = string | Cell;

/** Left-aligned columns two spaces apart; the last column is not padded (no trailing blanks). */
export function renderTable(headers: string[], rows: CellInput[][], headerPaint?: (text: string) => string): string {
  const body = rows.map((r) => r.map(toCell));
  // No headers: rows only (for blocks embedded in other output).
  const all: Cell[][] = headers.length > 0 ? [headers.map((text) => ({ text, paint: headerPaint })), ...body] : body;
  const widths: number[] = [];
  for (const row of all) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.text.length);
    });
  }
  return all
    .map((row) =>
      row
        .map((cell, i) => {
          const padded = i === row.length - 1 ? cell.text : cell.text.padEnd(widths[i] ?? 0);
          if (!cell.paint) return padded;
          // Paint only the text, not the padding, so colour codes never shift columns.
          return cell.paint(cell.text) + padded.slice(cell.text.length);
        })
        .join("  "),
    )
    .join("\n");
}

function toCell(input: CellInput): Cell {
  return typeof input === "string" ? { text: input } : input;
}

/** Data rows in a CSV file (the header not counted), so an import's progress has a total.
 * Newlines inside quoted fields do not end a row. */
export function countCsvRows(text: string): number {
  let rows = 0;
  let quoted = false;
  let rowHasContent = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '"') {
      quoted = !quoted; // an escaped quote ("") toggles twice
      rowHasContent = true;
    } else if ((char === "\n" || char === "\r") && !quoted) {
      if (rowHasContent) rows += 1;
      rowHasContent = false;
      if (char === "\r" && text[i + 1] === "\n") i += 1;
    } else if (char !== " " && char !== "\t") {
      rowHasContent = true;
    }
  }
  if (rowHasContent) rows += 1;
  return Math.max(0, rows - 1);
}

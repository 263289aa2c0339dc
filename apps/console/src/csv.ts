/**
 * RFC 4180 text: every field quoted, quotes doubled, CRLF between records. A field a spreadsheet would run as a
 * formula (=, +, -, @, a tab or carriage return first) is prefixed with an apostrophe (OWASP's CSV injection advice):
 * titles are typed by people.
 */
export function toCsv(rows: (string | number)[][]): string {
  const field = (value: string | number) => {
    const text = typeof value === 'number' ? String(value) : /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
    return `"${text.replace(/"/g, '""')}"`;
  };
  return rows.map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}

/** Hands a text to the browser as a file download. */
export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

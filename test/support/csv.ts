/** Parses RFC 4180 text strictly: CRLF after every record, quoted fields with doubled quotes; throws on anything else. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error("unterminated quoted field");
        if (text[i] === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
        else if (text[i] === '"') break;
        else field += text[i++];
      }
      i++;
    } else {
      while (i < text.length && text[i] !== "," && text[i] !== "\r") {
        if (text[i] === '"' || text[i] === "\n") throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`);
        field += text[i++];
      }
    }
    fields.push(field);
    if (text[i] === ",") i++;
    else if (text.startsWith("\r\n", i)) (records.push(fields), (fields = []), (i += 2));
    else throw new Error(`expected , or CRLF at ${i}`);
  }
  return records;
}

/** The records as objects keyed by the header row's names. */
export function csvObjects(text: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text);
  for (const row of rows) if (row.length !== header.length) throw new Error(`a record of ${row.length} fields under ${header.length} names`);
  return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i]])));
}

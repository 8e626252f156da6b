// Text that came from users or from a server, made safe to show on a terminal. A sweep name, an error
// message or a path may hold escape sequences (retitle the window, recolour, move the cursor), a
// carriage return or newline that forges rows, or bidi overrides and invisible characters that make
// text read as something it is not. Each such character is shown as a visible escape instead.

/**
 * Characters a terminal acts on or that disguise text: controls (C0, DEL, C1 such as U+009B, the
 * one-byte CSI), format characters (bidi overrides and isolates, zero-width characters, soft hyphen),
 * line and paragraph separators, and lone surrogates.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
/** In JSON text a raw tab, newline or carriage return is layout: the serializer escapes those inside strings. */
const UNSAFE_IN_JSON = /(?![\t\n\r])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `text` with every unsafe character written as an escape: `\n`, `\r`, `\t`, `\x1b` up to U+00FF,
 * `\u202e` up to U+FFFF (lone surrogates too), `\u{e0001}` above. Backslashes stay as they are: the
 * escapes show that something is there, they are not meant to be read back.
 */
export function printable(text: string): string {
  return text.replace(UNSAFE, (char) => {
    if (char in NAMED) return NAMED[char];
    const code = char.codePointAt(0)!;
    if (code <= 0xff) return `\\x${hex(code, 2)}`;
    return code <= 0xffff ? `\\u${hex(code, 4)}` : `\\u{${hex(code, 1)}}`;
  });
}

/**
 * A template tag: the literal parts are the program's own text (newlines included), every
 * interpolated value is printable(String(value)).
 */
export function escaped(literals: TemplateStringsArray, ...values: unknown[]): string {
  return literals.reduce((text, literal, i) => text + printable(String(values[i - 1])) + literal);
}

/**
 * JSON text with the unsafe characters JSON.stringify leaves raw (DEL, C1, format characters,
 * U+2028/U+2029) written as \uXXXX escapes: the same JSON value, safe on a terminal.
 */
export function terminalSafeJson(json: string): string {
  // JSON escapes UTF-16 code units (split("") yields them): a character above U+FFFF is its surrogate pair.
  return json.replace(UNSAFE_IN_JSON, (char) => char.split("").map((unit) => `\\u${hex(unit.charCodeAt(0), 4)}`).join(""));
}

function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, "0");
}

/** A name that, printed raw, retitles the terminal, turns it red, forges a row and flips the rest right to left. */
export const HOSTILE = "esc\u001b]0;PWNED\u0007\u001b[31mRED\r\nfake line\u009b2J\u202eevil";
/** HOSTILE as the CLI shows it: each of those characters as a visible escape. */
export const HOSTILE_SHOWN = "esc\\x1b]0;PWNED\\x07\\x1b[31mRED\\r\\nfake line\\x9b2J\\u202eevil";

/** Code points a terminal acts on (C0, DEL, C1) or that hide or reorder text, listed by hand rather than by Unicode class. */
const ACTED_ON = new Set([
  ...Array.from({ length: 0x20 }, (_, i) => i),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
  0x00ad, 0x061c, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2028, 0x2029,
  0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0xfeff, 0xe0001,
]);
export const ACTED_ON_CODES = [...ACTED_ON];

/** Whether `text` holds such a character (or a lone surrogate) anywhere but in its line ends. */
export function hasActedOn(text: string): boolean {
  return [...text.replace(/\n/g, "")].some((char) => ACTED_ON.has(char.codePointAt(0)!) || /^[\ud800-\udfff]$/.test(char));
}

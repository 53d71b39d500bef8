// Users' strings as messages show them. Its own module, free of zod, so the mutating webhook can use it
// (on the mutating path: biome.json's rules and test/unit/bundles.test.ts keep classic zod off it).
const SHOWN_LENGTH = 100;

/**
 * A user's string quoted for a message, with everything outside printable ASCII escaped (\u202e, \u{1f600})
 * and at most 100 characters shown: a message must not reorder a terminal (bidi overrides), hide what is
 * wrong (zero-width or full-width characters look like the right ones), or carry megabytes back.
 */
export function shown(text: string): string {
  // Four UTF-16 units per character shown is enough whatever they are; a megabyte is not spread.
  const chars = [...text.slice(0, 4 * SHOWN_LENGTH)];
  const escaped = chars.slice(0, SHOWN_LENGTH).map((c) => {
    if (c === '"' || c === "\\") return `\\${c}`;
    const code = c.codePointAt(0) ?? 0;
    if (code >= 0x20 && code <= 0x7e) return c;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
  return `"${escaped.join("")}"${chars.length > SHOWN_LENGTH ? "..." : ""}`;
}

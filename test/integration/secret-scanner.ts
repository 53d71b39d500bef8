// Finds secret values in text, however they were spelled on the way: as they are, hex, and base64 or
// base64url at any byte alignment (Kubernetes shows Secret data as base64, JSON patches travel as base64,
// and a value inside a larger encoded blob shifts by 0, 1 or 2 bytes).
import { randomBytes } from "node:crypto";

/** A value no fixture or log can hold by chance. */
export const secretValue = () => `s3cr3t-${randomBytes(16).toString("hex")}`;

/** The spellings of `value` that must never appear: each one a substring any encoding of it contains. */
export function spellings(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  const found = [value, bytes.toString("hex")];
  for (const shift of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString("base64");
    // Only characters of 3-byte groups made of the value's bytes alone: when shifted, the first group
    // mixes in the bytes before it; a last, partial group mixes in those after it (or padding).
    const stable = encoded.slice(shift === 0 ? 0 : 4, Math.floor((shift + bytes.length) / 3) * 4);
    found.push(stable, stable.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return [...new Set(found)];
}

export interface Leak {
  readonly secret: string;
  readonly where: string;
  readonly spelling: string;
}

/** Every place among `texts` (named by their keys) where a spelling of one of `secrets` appears. */
export function leaks(
  texts: Readonly<Record<string, string>>,
  secrets: Readonly<Record<string, string>>,
): Leak[] {
  const found: Leak[] = [];
  for (const [secret, value] of Object.entries(secrets))
    for (const spelling of spellings(value))
      for (const [where, text] of Object.entries(texts))
        if (text.includes(spelling)) found.push({ secret, where, spelling });
  return found;
}

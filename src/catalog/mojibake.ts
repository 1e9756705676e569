/**
 * Repair of double-encoded UTF-8 ("mojibake"): UTF-8 bytes that were decoded as Windows-1252
 * and encoded again, so `ñ` (C3 B1) shows as `Ã±` and `’` (E2 80 99) as `â€™`.
 *
 * Written here because no maintained npm library does this safely (the few that exist
 * re-decode whole strings and so break text that mixes right and wrong characters). The rule:
 * map each character back to the Windows-1252 byte it came from, and replace a run only where
 * those bytes form a complete, valid UTF-8 sequence of 2..4 bytes. A lone `é` or `Â` with no
 * continuation is never a valid sequence, so correct text is left untouched.
 */

// Windows-1252 characters 0x80..0x9F that are not the same code point as their byte.
const CP1252_HIGH: Record<number, number> = {
  0x20ac: 0x80, 0x201a: 0x82, 0x0192: 0x83, 0x201e: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87,
  0x02c6: 0x88, 0x2030: 0x89, 0x0160: 0x8a, 0x2039: 0x8b, 0x0152: 0x8c, 0x017d: 0x8e, 0x2018: 0x91,
  0x2019: 0x92, 0x201c: 0x93, 0x201d: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02dc: 0x98,
  0x2122: 0x99, 0x0161: 0x9a, 0x203a: 0x9b, 0x0153: 0x9c, 0x017e: 0x9e, 0x0178: 0x9f,
};

/** The Windows-1252 byte a character would have been decoded from, or -1. */
function byteOf(code: number): number {
  if (code >= 0x80 && code <= 0xff) return code; // Latin-1 range, and C1 controls for 81/8D/8F/90/9D
  return CP1252_HIGH[code] ?? -1;
}

const SUSPECT = /â€|[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]/;

function repairOnce(text: string): string {
  let out = "";
  let i = 0;
  let changed = false;
  while (i < text.length) {
    const lead = byteOf(text.charCodeAt(i));
    const need = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
    if (need > 0) {
      const bytes = [lead];
      for (let j = 1; j <= need; j++) {
        const b = i + j < text.length ? byteOf(text.charCodeAt(i + j)) : -1;
        if (b < 0x80 || b > 0xbf) break;
        bytes.push(b);
      }
      if (bytes.length === need + 1) {
        const decoded = decodeStrict(bytes);
        if (decoded !== null) {
          out += decoded;
          i += need + 1;
          changed = true;
          continue;
        }
      }
    }
    out += text[i];
    i++;
  }
  // "”" is E2 80 9D, and 0x9D has no Windows-1252 character, so many encoders dropped it and
  // left a bare "â€". No real text contains "â€", and every other E2 80 xx character that could
  // follow has a visible third byte, so a bare "â€" can only have been "”".
  const bare = out.replace(/â€(?![\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122])/g, "”");
  return changed || bare !== out ? bare : text;
}

const strictDecoder = new TextDecoder("utf-8", { fatal: true });
function decodeStrict(bytes: number[]): string | null {
  try {
    return strictDecoder.decode(Uint8Array.from(bytes));
  } catch {
    return null; // overlong forms and surrogates are rejected by the fatal decoder
  }
}

/**
 * Returns the text with double-encoded sequences repaired. Applied up to three times because
 * some records were encoded twice over (`Ã¢â‚¬â„¢`).
 */
export function repairMojibake(text: string): string {
  let current = text;
  for (let pass = 0; pass < 3 && SUSPECT.test(current); pass++) {
    const next = repairOnce(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

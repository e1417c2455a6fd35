import { z } from 'zod';

/**
 * Characters no name may carry: controls (C0, C1, NUL), format characters (bidi overrides and isolates such as
 * U+202E, zero-width joiners and spaces, the BOM) and line/paragraph separators. They let one person's name
 * reorder or hide the text around it on someone else's screen.
 */
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** The name without control, bidi and zero-width characters, trimmed. */
export function cleanDisplayName(value: string): string {
  return value.replace(INVISIBLE_OR_CONTROL, '').trim();
}

/** A display name (session, room member, room title): cleaned first, then 1 to `max` characters. */
export const displayNameSchema = (max = 50) =>
  z
    .string()
    .transform(cleanDisplayName)
    .pipe(z.string().min(1, 'must have at least one visible character').max(max, `must be at most ${max} characters`));

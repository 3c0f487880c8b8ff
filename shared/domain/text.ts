/**
 * The form names are indexed and searched in: accents stripped, lower case,
 * single spaces. "Ángela  Núñez" and "angela nu" meet on "angela nu".
 */
export function searchable(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

export const fullName = (first: string, last?: string) => (last ? `${first} ${last}` : first);

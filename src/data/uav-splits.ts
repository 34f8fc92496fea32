/**
 * UAV-Human sample names (`P001S00G10B10H10UC022000LC021000A012R0_08241716`) and the two
 * cross-subject splits (tools/data/uav_preproc.py). As in the original: subject = characters 1–3 of
 * the name, label = the three characters after the first `A` (UAV action ids are already 0-based).
 */

/** Training subjects of cross-subject v1 (89 ids). */
export const UAV_CSV1_TRAIN: ReadonlySet<number> = new Set([
  0, 2, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 25, 26, 27, 28, 29, 30, 32, 33, 34,
  35, 36, 37, 38, 39, 40, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 55, 56, 57, 59, 61, 62, 63,
  64, 65, 67, 68, 69, 70, 71, 73, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 98,
  100, 102, 103, 105, 106, 110, 111, 112, 114, 115, 116, 117, 118,
]);

/** Training subjects of cross-subject v2 (89 ids). */
export const UAV_CSV2_TRAIN: ReadonlySet<number> = new Set([
  0, 3, 4, 5, 6, 8, 10, 11, 12, 14, 16, 18, 19, 20, 21, 22, 24, 26, 29, 30, 31, 32, 35, 36, 37, 38,
  39, 40, 43, 44, 45, 46, 47, 49, 52, 54, 56, 57, 59, 60, 61, 62, 63, 64, 66, 67, 69, 70, 71, 72, 73,
  74, 75, 77, 78, 79, 80, 81, 83, 84, 86, 87, 88, 89, 91, 92, 93, 94, 95, 96, 97, 99, 100, 101, 102,
  103, 104, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 117, 118,
]);

export const UAV_SUBJECTS = 119;

/** Subject id and label of a sample name; null when the name does not have them. */
export function parseUavName(name: string): { subject: number; label: number } | null {
  const subject = /^P(\d{3})/.exec(name);
  const a = name.indexOf('A');
  const label = a >= 0 ? /^\d{3}/.exec(name.slice(a + 1)) : null;
  if (!subject || !label) return null;
  return { subject: Number(subject[1]), label: Number(label[0]) };
}

/** Split name → members, in the order of `names` (split dict order as the original writes it). */
export function assignUavSplits(names: readonly string[]): Map<string, string[]> {
  const subject = new Map(names.map((n) => [n, (parseUavName(n) as { subject: number }).subject]));
  const members = (set: ReadonlySet<number>, train: boolean): string[] => names.filter((n) => set.has(subject.get(n) as number) === train);
  return new Map([
    ['csv1_train', members(UAV_CSV1_TRAIN, true)],
    ['csv1_val', members(UAV_CSV1_TRAIN, false)],
    ['csv2_train', members(UAV_CSV2_TRAIN, true)],
    ['csv2_val', members(UAV_CSV2_TRAIN, false)],
  ]);
}

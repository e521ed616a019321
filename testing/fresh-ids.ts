/** Ids no other test in the process uses, so tests sharing a graph never meet each other's data. */
import { randomUUID } from 'node:crypto';

/** A user id no other test uses (`<label>-<8 hex>`). */
export const freshUser = (label = 'u') => `${label}-${randomUUID().slice(0, 8)}`;

let vinSerial = 0;
/** A valid VIN (17 of `[A-HJ-NPR-Z0-9]`) no other test in this process uses, and no seeded car has. */
export function testVin(): string {
  vinSerial += 1;
  return `TSTVN${String(process.pid % 100000).padStart(5, '0')}${String(vinSerial).padStart(7, '0')}`;
}

/** A keyset position of finance's time-ordered lists (newest first): the sort time and the id (tie-breaker). */
export interface TimeKey {
  at: Date;
  id: string;
}

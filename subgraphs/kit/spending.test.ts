import { compareLines, mergePage, parsePeriod, periodKey, summarise, type SpendingLine } from './spending';
import { readTimePage } from './pagination';
import { Rng } from './seed';

function line(source: string, n: number, at: Date, amount: bigint): SpendingLine {
  return { id: `${source}:x:${n}`, userId: 'u', occurredAt: at, category: 'PURCHASE', description: '', amount, subjectType: 'Order', subjectId: String(n) };
}

/** What a contributor answers: its first+1 lines after the cursor, in the shared order. */
function contribute(lines: SpendingLine[], after: string, first: number): SpendingLine[] {
  const cursor = readTimePage({ first, after }).after;
  return lines
    .filter((l) => !cursor || compareLines(l, { occurredAt: cursor.at, id: cursor.id }) > 0)
    .sort(compareLines)
    .slice(0, first + 1);
}

describe('spending merge', () => {
  test('paging through four contributors returns every line exactly once, in order, with equal timestamps', () => {
    const rng = new Rng(7);
    const sources = ['first', 'second', 'third', 'fourth'].map((s) =>
      Array.from({ length: rng.int(0, 60) }, (_, i) => line(s, i, new Date(Date.UTC(2025, 0, rng.int(1, 20))), BigInt(rng.int(1, 99999)))),
    );
    const all = sources.flat();
    for (const first of [1, 3, 7, 100]) {
      const seen: SpendingLine[] = [];
      let after = '';
      for (let guard = 0; guard < 1000; guard++) {
        const page = mergePage(sources.map((s) => contribute(s, after, first)), first);
        seen.push(...page.edges.map((e) => e.node));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor!;
      }
      expect(seen.map((l) => l.id).sort()).toEqual(all.map((l) => l.id).sort());
      expect(new Set(seen.map((l) => l.id)).size).toBe(all.length);
      for (let i = 1; i < seen.length; i++) expect(compareLines(seen[i - 1], seen[i])).toBeLessThan(0);
    }
  });

  test('totals, categories and months all sum to the same exact total', () => {
    const s = summarise([
      { category: 'PURCHASE', month: '2025-01', amount: 500000n, lineCount: 1 },
      { category: 'TRADE_IN_CREDIT', month: '2025-02', amount: -300000n, lineCount: 1 },
      { category: 'CHARGING', month: '2025-02', amount: 1n, lineCount: 3 },
    ], ['PURCHASE', 'TRADE_IN_CREDIT', 'CHARGING']);
    expect(s.total.amount).toBe(200001n);
    expect(s.byCategory.reduce((a, c) => a + c.total.amount, 0n)).toBe(200001n);
    expect(s.byMonth.reduce((a, c) => a + c.total.amount, 0n)).toBe(200001n);
    expect(s.lineCount).toBe(5);
  });

  test('period keys round-trip and bad ones are refused', () => {
    const from = new Date('2025-01-01T00:00:00.000Z');
    const to = new Date('2026-01-01T00:00:00.000Z');
    expect(periodKey()).toBe('all');
    expect(parsePeriod(periodKey(from, to))).toEqual({ from, to });
    expect(parsePeriod(periodKey(from, null))).toEqual({ from, to: null });
    expect(() => periodKey(to, from)).toThrow(/earlier/);
    expect(() => parsePeriod('2025..x')).toThrow(/bad period/);
  });
});

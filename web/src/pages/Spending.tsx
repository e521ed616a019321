/**
 * The spending dashboard: the README's headline operation. Total, by category and by month (charts, each
 * with a table of the exact amounts), and every line, newest first, a page at a time: the next page loads
 * when the end of the list scrolls into view (IntersectionObserver) or on "Load more".
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useQuery } from '@apollo/client';
import { graphql } from '../gql';
import type { MySpendingQuery } from '../gql/graphql';
import { ErrorNote, Loading } from '../errors';
import { Money } from '../money';
import { CategoryChart, MonthChart } from './SpendingCharts';
import { SpendingLineItem } from './SpendingLine';

const PAGE = 20;

export const MY_SPENDING = graphql(`
  query MySpending($from: DateTime, $to: DateTime, $first: Int, $after: String) {
    me {
      id
      spending(from: $from, to: $to) {
        total { amount currency }
        byCategory { category total { amount currency } }
        byMonth { month total { amount currency } }
        lines(first: $first, after: $after) {
          edges {
            node {
              id occurredAt category description amount { amount currency }
              paidFor {
                __typename
                ... on Order { id trim { name model { name } } }
                ... on Instalment { id sequence loan { id order { id } } }
                ... on ServiceInvoice { id store { name } }
                ... on SwapSession { id station { name } }
                ... on ChargingSession { id }
                ... on BatterySubscription { id }
                ... on InsurancePolicy { id }
                ... on TradeIn { id }
              }
            }
          }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
`);

type Lines = NonNullable<MySpendingQuery['me']>['spending']['lines'];

/** A date input's value ("2025-01-01") as the graph's DateTime: midnight UTC; empty: no bound. */
const bound = (value: string) => (value ? `${value}T00:00:00.000Z` : null);

export function SpendingPage() {
  const [period, setPeriod] = useState({ from: '', to: '' });
  const [draft, setDraft] = useState(period);
  const [loadingMore, setLoadingMore] = useState(false);
  const { data, error, loading, fetchMore } = useQuery(MY_SPENDING, {
    variables: { from: bound(period.from), to: bound(period.to), first: PAGE },
    notifyOnNetworkStatusChange: false,
  });
  const spending = data?.me?.spending;
  const lines = spending?.lines;
  const hasMore = lines?.pageInfo.hasNextPage ?? false;

  const loadMore = async () => {
    if (!lines || !hasMore || loadingMore) return;
    setLoadingMore(true);
    try {
      await fetchMore({
        variables: { after: lines.pageInfo.endCursor },
        updateQuery: (prev, { fetchMoreResult }) => {
          const next = fetchMoreResult.me?.spending.lines;
          if (!prev.me || !next) return prev;
          const merged: Lines = { ...next, edges: [...prev.me.spending.lines.edges, ...next.edges] };
          return { ...prev, me: { ...prev.me, spending: { ...prev.me.spending, lines: merged } } };
        },
      });
    } finally {
      setLoadingMore(false);
    }
  };

  // The end of the list coming into view loads the next page, once per page.
  const sentinel = useRef<HTMLDivElement>(null);
  const loadMoreRef = useRef(loadMore);
  loadMoreRef.current = loadMore;
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasMore) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void loadMoreRef.current();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [hasMore, lines?.pageInfo.endCursor]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setPeriod(draft);
  };

  return (
    <section aria-labelledby="spending-heading">
      <h1 id="spending-heading">Spending</h1>
      <form className="period" onSubmit={apply} aria-label="Period">
        <label>
          From <input type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </label>
        <label>
          To <input type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </label>
        <button type="submit">Apply</button>
        <span className="hint">From is inclusive, To exclusive; empty means the car's whole life.</span>
      </form>
      {error && <ErrorNote error={error} />}
      {loading && !spending && <Loading what="your spending" />}
      {spending && (
        <>
          <p className="total">
            Total spent: <strong><Money amount={spending.total.amount} currency={spending.total.currency} testId="spending-total" /></strong>
          </p>
          <div className="charts">
            <CategoryChart rows={spending.byCategory} />
            <MonthChart rows={spending.byMonth} />
          </div>
          <h2>Lines</h2>
          <ol className="lines" aria-label="Spending lines, newest first">
            {spending.lines.edges.map(({ node }) => (
              <SpendingLineItem key={node.id} line={node} />
            ))}
          </ol>
          <div ref={sentinel} aria-hidden="true" />
          {hasMore ? (
            <button type="button" onClick={() => void loadMore()} disabled={loadingMore}>
              Load more
            </button>
          ) : (
            <p role="status">All lines shown</p>
          )}
          {loadingMore && <Loading what="more lines" />}
        </>
      )}
    </section>
  );
}

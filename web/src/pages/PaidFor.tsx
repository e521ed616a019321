/**
 * What a spending line paid for, read from the graph by id: an order (its trim and model), a loan (the
 * instalment's loan and the order it financed), a service invoice (its store), a swap (its station). The
 * graph answers NOT_FOUND for an id that is not the signed-in person's, and the page says "Not found".
 */
import { useQuery } from '@apollo/client';
import { Link, useParams } from 'react-router-dom';
import { graphql } from '../gql';
import { ErrorNote, Loading } from '../errors';
import { Money } from '../money';

const PAID_ORDER = graphql(`
  query PaidOrder($id: ID!) {
    order(id: $id) {
      id status placedAt deliveredAt
      trim { id name model { id name } }
      colour { name }
      package { name }
      accessories { id name }
      totalPrice { amount currency }
      amountPaid { amount currency }
    }
  }
`);

const PAID_LOAN = graphql(`
  query PaidLoan($id: ID!) {
    loan(id: $id) {
      id kind status termMonths annualRateBps openedAt
      principal { amount currency }
      totalPaid { amount currency }
      order { id trim { id name model { id name } } }
    }
  }
`);

const PAID_INVOICE = graphql(`
  query PaidServiceInvoice($id: ID!) {
    serviceInvoice(id: $id) {
      id issuedAt
      store { id name city address }
      total { amount currency }
      warrantyCovered { amount currency }
      ownerPaid { amount currency }
    }
  }
`);

const PAID_SWAP = graphql(`
  query PaidSwapSession($id: ID!) {
    swapSession(id: $id) {
      id swappedAt coveredByPlan stateOfChargeBefore stateOfChargeAfter
      station { id name city }
      fee { amount currency }
    }
  }
`);

const date = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : '—');

function Facts({ rows }: { rows: Array<[string, React.ReactNode]> }) {
  return (
    <dl className="facts">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function OrderView({ id }: { id: string }) {
  const { data, error, loading } = useQuery(PAID_ORDER, { variables: { id } });
  const o = data?.order;
  return (
    <>
      <h1>Order {id}</h1>
      {loading && <Loading what="the order" />}
      {error && <ErrorNote error={error} />}
      {!loading && !error && !o && <p role="alert">Not found</p>}
      {o && (
        <Facts
          rows={[
            ['Model', o.trim.model.name],
            ['Trim', o.trim.name],
            ['Colour', o.colour?.name ?? '—'],
            ['Package', o.package?.name ?? '—'],
            ['Accessories', o.accessories.map((a) => a.name).join(', ') || '—'],
            ['Status', o.status],
            ['Placed', date(o.placedAt)],
            ['Delivered', date(o.deliveredAt)],
            ['Total price', <Money key="t" amount={o.totalPrice.amount} currency={o.totalPrice.currency} />],
            ['Paid so far', <Money key="p" amount={o.amountPaid.amount} currency={o.amountPaid.currency} />],
          ]}
        />
      )}
    </>
  );
}

function LoanView({ id }: { id: string }) {
  const { data, error, loading } = useQuery(PAID_LOAN, { variables: { id } });
  const l = data?.loan;
  return (
    <>
      <h1>Loan {id}</h1>
      {loading && <Loading what="the loan" />}
      {error && <ErrorNote error={error} />}
      {!loading && !error && !l && <p role="alert">Not found</p>}
      {l && (
        <Facts
          rows={[
            ['For order', <Link key="o" to={`/paid/Order/${l.order.id}`}>{`${l.order.trim.model.name} ${l.order.trim.name} (${l.order.id})`}</Link>],
            ['Kind', l.kind],
            ['Principal', <Money key="p" amount={l.principal.amount} currency={l.principal.currency} />],
            ['Paid so far', <Money key="t" amount={l.totalPaid.amount} currency={l.totalPaid.currency} />],
            ['Term', `${l.termMonths} months`],
            ['Rate', `${(l.annualRateBps / 100).toFixed(2)} % a year`],
            ['Opened', date(l.openedAt)],
            ['Status', l.status],
          ]}
        />
      )}
    </>
  );
}

function InvoiceView({ id }: { id: string }) {
  const { data, error, loading } = useQuery(PAID_INVOICE, { variables: { id } });
  const i = data?.serviceInvoice;
  return (
    <>
      <h1>Service invoice {id}</h1>
      {loading && <Loading what="the invoice" />}
      {error && <ErrorNote error={error} />}
      {!loading && !error && !i && <p role="alert">Not found</p>}
      {i && (
        <Facts
          rows={[
            ['Store', i.store.name],
            ['Where', `${i.store.address}, ${i.store.city}`],
            ['Issued', date(i.issuedAt)],
            ['Total', <Money key="t" amount={i.total.amount} currency={i.total.currency} />],
            ['Covered by warranty', <Money key="w" amount={i.warrantyCovered.amount} currency={i.warrantyCovered.currency} />],
            ['You paid', <Money key="o" amount={i.ownerPaid.amount} currency={i.ownerPaid.currency} />],
          ]}
        />
      )}
    </>
  );
}

function SwapView({ id }: { id: string }) {
  const { data, error, loading } = useQuery(PAID_SWAP, { variables: { id } });
  const s = data?.swapSession;
  return (
    <>
      <h1>Battery swap {id}</h1>
      {loading && <Loading what="the swap" />}
      {error && <ErrorNote error={error} />}
      {!loading && !error && !s && <p role="alert">Not found</p>}
      {s && (
        <Facts
          rows={[
            ['Station', s.station.name],
            ['City', s.station.city],
            ['When', date(s.swappedAt)],
            ['Charge', `${s.stateOfChargeBefore} % → ${s.stateOfChargeAfter} %`],
            ['Fee', <Money key="f" amount={s.fee.amount} currency={s.fee.currency} />],
            ['Covered by your plan', s.coveredByPlan ? 'yes' : 'no'],
          ]}
        />
      )}
    </>
  );
}

export function PaidForPage() {
  const { type = '', id = '' } = useParams();
  switch (type) {
    case 'Order':
      return <OrderView id={id} />;
    case 'Loan':
      return <LoanView id={id} />;
    case 'ServiceInvoice':
      return <InvoiceView id={id} />;
    case 'SwapSession':
      return <SwapView id={id} />;
    default:
      return (
        <>
          <h1>{type.replace(/([a-z])([A-Z])/g, '$1 $2')} {id}</h1>
          <p>The app has no page for this kind of payment yet; its line on the spending page says what it was.</p>
          <p>
            <Link to="/spending">Back to spending</Link>
          </p>
        </>
      );
  }
}

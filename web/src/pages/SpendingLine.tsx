/** One spending line: when, what, how much, and a link to what it paid for. */
import { Link } from 'react-router-dom';
import type { MySpendingQuery } from '../gql/graphql';
import { Money } from '../money';
import { categoryName } from './categories';

type Line = NonNullable<MySpendingQuery['me']>['spending']['lines']['edges'][number]['node'];
type Subject = NonNullable<Line['paidFor']>;

/** Where a line's subject is shown, and what the link says. An instalment is shown with its loan and order. */
export function subjectLink(subject: Subject): { to: string; text: string } {
  switch (subject.__typename) {
    case 'Order':
      return { to: `/paid/Order/${subject.id}`, text: `Order: ${subject.trim.model.name} ${subject.trim.name}` };
    case 'Instalment':
      return { to: `/paid/Loan/${subject.loan.id}`, text: `Instalment ${subject.sequence} of the loan for order ${subject.loan.order.id}` };
    case 'ServiceInvoice':
      return { to: `/paid/ServiceInvoice/${subject.id}`, text: `Service invoice: ${subject.store.name}` };
    case 'SwapSession':
      return { to: `/paid/SwapSession/${subject.id}`, text: `Battery swap: ${subject.station.name}` };
    default:
      return { to: `/paid/${subject.__typename}/${subject.id}`, text: subject.__typename.replace(/([a-z])([A-Z])/g, '$1 $2') };
  }
}

const when = (iso: string) => iso.slice(0, 10);

export function SpendingLineItem({ line }: { line: Line }) {
  const link = line.paidFor ? subjectLink(line.paidFor) : null;
  return (
    <li data-testid="spending-line" data-line-id={line.id}>
      <time dateTime={line.occurredAt}>{when(line.occurredAt)}</time>
      <span className="category">{categoryName(line.category)}</span>
      <span className="description">{line.description}</span>
      <Money amount={line.amount.amount} currency={line.amount.currency} />
      {link ? <Link to={link.to}>{link.text}</Link> : <span>—</span>}
    </li>
  );
}

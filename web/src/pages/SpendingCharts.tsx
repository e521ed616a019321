/**
 * The dashboard's charts (recharts). Each is a figure whose drawing is hidden from screen readers and
 * followed by a table of the exact amounts, which everyone can open: the table is the chart's text.
 */
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatAmount, plotValue } from '../money';
import { categoryName } from './categories';

interface Row {
  label: string;
  amount: string;
}

const ACCENT = '#1d4ed8';

function ChartFigure({ title, rows, labelHeading }: { title: string; rows: Row[]; labelHeading: string }) {
  const points = rows.map((r) => ({ label: r.label, value: plotValue(r.amount), amount: r.amount }));
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div aria-hidden="true" className="plot">
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={points} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#d1d5db" />
            <XAxis dataKey="label" tick={{ fontSize: 12, fill: '#1f2937' }} />
            <YAxis tick={{ fontSize: 12, fill: '#1f2937' }} width={80} />
            <Tooltip formatter={(_v, _n, item) => [`${formatAmount((item.payload as { amount: string }).amount)} CNY`, 'Spent']} />
            <Bar dataKey="value" fill={ACCENT} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <details>
        <summary>{title} as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{labelHeading}</th>
              <th scope="col">Spent (CNY)</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.label}>
                <th scope="row">{r.label}</th>
                <td className="num">{formatAmount(r.amount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

export function CategoryChart({ rows }: { rows: Array<{ category: string; total: { amount: string } }> }) {
  return <ChartFigure title="By category" labelHeading="Category" rows={rows.map((r) => ({ label: categoryName(r.category), amount: r.total.amount }))} />;
}

export function MonthChart({ rows }: { rows: Array<{ month: string; total: { amount: string } }> }) {
  return <ChartFigure title="By month" labelHeading="Month" rows={rows.map((r) => ({ label: r.month, amount: r.total.amount }))} />;
}

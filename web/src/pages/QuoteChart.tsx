/** The quote's cumulative cost of each option by month (recharts lines), with the exact figures as a table. */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatAmount, plotValue } from '../money';

interface QuoteOption {
  option: number;
  label: string;
  months: Array<{ month: number; cumulative: { amount: string } }>;
}

const COLOURS = ['#1d4ed8', '#b45309', '#047857', '#7c3aed'];

export function CumulativeChart({ options }: { options: QuoteOption[] }) {
  const months = options[0]?.months.map((m) => m.month) ?? [];
  const points = months.map((month, i) => Object.fromEntries([['month', month], ...options.map((o) => [o.label, plotValue(o.months[i].cumulative.amount)])]));
  return (
    <figure className="chart wide">
      <figcaption>Cumulative cost by month</figcaption>
      <div aria-hidden="true" className="plot">
        <ResponsiveContainer width="100%" height={300}>
          <LineChart data={points} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#d1d5db" />
            <XAxis dataKey="month" tick={{ fontSize: 12, fill: '#1f2937' }} />
            <YAxis tick={{ fontSize: 12, fill: '#1f2937' }} width={90} />
            <Tooltip />
            <Legend />
            {options.map((o, i) => (
              <Line key={o.option} type="monotone" dataKey={o.label} stroke={COLOURS[i % COLOURS.length]} dot={false} isAnimationActive={false} />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <details>
        <summary>Cumulative cost as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Month</th>
              {options.map((o) => (
                <th key={o.option} scope="col">
                  {o.label} (CNY)
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {months.map((month, i) => (
              <tr key={month}>
                <th scope="row">{month}</th>
                {options.map((o) => (
                  <td key={o.option} className="num">
                    {formatAmount(o.months[i].cumulative.amount)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/**
 * The ownership quote: two configurations (catalog's public models, trims, colours, packages and
 * accessories; battery plan for rental-battery trims; cash, loan or lease), one distance, city and number
 * of years, compared by `ownershipQuote`: each option's total, a chart of the cumulative cost month by
 * month (with its table), and the month from which option 2 stays at or below option 1.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useLazyQuery, useQuery } from '@apollo/client';
import { graphql } from '../gql';
import type { CatalogOptionsQuery, OwnershipQuoteInput, QuoteFinancingKind } from '../gql/graphql';
import { ErrorNote, Loading } from '../errors';
import { Money } from '../money';
import { CumulativeChart } from './QuoteChart';

// Small pages, so the public catalog fits the anonymous cost budget (2,000): the seeded catalog has 2 models and 15 accessories.
const CATALOG_OPTIONS = graphql(`
  query CatalogOptions {
    models(first: 10) {
      edges {
        node {
          id name
          trims { id name available batteryOption guidePrice { amount currency } packages { id name } }
        }
      }
    }
    colours { id name }
    accessories(first: 20) { edges { node { id name price { amount currency } } } }
    batteryPlans { id name monthlyFee { amount currency } }
  }
`);

const OWNERSHIP_QUOTE = graphql(`
  query CompareOwnership($input: OwnershipQuoteInput!) {
    ownershipQuote(input: $input) {
      years
      months
      options {
        option label
        total { amount currency }
        byCategory { category total { amount currency } }
        months { month cumulative { amount currency } }
      }
      comparisons { option against difference { amount currency } cheaperOption breakEvenMonth }
    }
  }
`);

type Catalog = CatalogOptionsQuery;
type TrimChoice = Catalog['models']['edges'][number]['node']['trims'][number];

interface OptionForm {
  modelId: string;
  trimId: string;
  colourId: string;
  packageId: string;
  accessoryIds: string[];
  batteryPlanId: string;
  kind: QuoteFinancingKind;
  downPayment: string;
  termMonths: string;
  annualRateBps: string;
}

const TERMS = ['12', '24', '36', '48', '60'];

function trimsOf(catalog: Catalog, modelId: string): TrimChoice[] {
  return catalog.models.edges.find((e) => e.node.id === modelId)?.node.trims.filter((t) => t.available) ?? [];
}

/** The first option: an owned battery bought for cash; the second: a rental battery on a loan, when the catalog has one. */
function defaults(catalog: Catalog): [OptionForm, OptionForm] {
  const all = catalog.models.edges.flatMap((e) => e.node.trims.filter((t) => t.available).map((t) => ({ modelId: e.node.id, trim: t })));
  const owned = all.find((x) => x.trim.batteryOption === 'OWNED') ?? all[0];
  const rental = all.find((x) => x.trim.batteryOption === 'RENTAL' && x.modelId === owned?.modelId) ?? all.find((x) => x.trim.batteryOption === 'RENTAL') ?? all[1] ?? owned;
  const base = (x: typeof owned, kind: QuoteFinancingKind): OptionForm => ({
    modelId: x?.modelId ?? '',
    trimId: x?.trim.id ?? '',
    colourId: '',
    packageId: '',
    accessoryIds: [],
    batteryPlanId: '',
    kind,
    downPayment: '50000.00',
    termMonths: '36',
    annualRateBps: '399',
  });
  return [base(owned, 'CASH'), base(rental, 'LOAN')];
}

function toInput(o: OptionForm, i: number): OwnershipQuoteInput['options'][number] {
  const financed = o.kind !== 'CASH';
  return {
    label: `Option ${i + 1}`,
    trimId: o.trimId,
    colourId: o.colourId || null,
    packageId: o.packageId || null,
    accessoryIds: o.accessoryIds,
    batteryPlanId: o.batteryPlanId || null,
    financing: financed ? { kind: o.kind, downPayment: o.downPayment, termMonths: Number(o.termMonths), annualRateBps: Number(o.annualRateBps) } : { kind: o.kind },
  };
}

function OptionFields({ n, catalog, value, onChange }: { n: number; catalog: Catalog; value: OptionForm; onChange: (v: OptionForm) => void }) {
  const trims = trimsOf(catalog, value.modelId);
  const trim = trims.find((t) => t.id === value.trimId);
  const id = (field: string) => `option-${n}-${field}`;
  const set = (patch: Partial<OptionForm>) => onChange({ ...value, ...patch });
  return (
    <fieldset className="option">
      <legend>Option {n}</legend>
      <label htmlFor={id('model')}>Option {n} model</label>
      <select id={id('model')} value={value.modelId} onChange={(e) => set({ modelId: e.target.value, trimId: trimsOf(catalog, e.target.value)[0]?.id ?? '', packageId: '' })}>
        {catalog.models.edges.map(({ node }) => (
          <option key={node.id} value={node.id}>
            {node.name}
          </option>
        ))}
      </select>
      <label htmlFor={id('trim')}>Option {n} trim</label>
      <select id={id('trim')} value={value.trimId} onChange={(e) => set({ trimId: e.target.value, packageId: '', batteryPlanId: '' })}>
        {trims.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name} ({t.batteryOption === 'RENTAL' ? 'rental battery' : 'owned battery'}, from {t.guidePrice.amount} CNY)
          </option>
        ))}
      </select>
      <label htmlFor={id('colour')}>Option {n} colour</label>
      <select id={id('colour')} value={value.colourId} onChange={(e) => set({ colourId: e.target.value })}>
        <option value="">Standard</option>
        {catalog.colours.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
      <label htmlFor={id('package')}>Option {n} package</label>
      <select id={id('package')} value={value.packageId} onChange={(e) => set({ packageId: e.target.value })}>
        <option value="">Standard</option>
        {(trim?.packages ?? []).map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <label htmlFor={id('accessories')}>Option {n} accessories</label>
      <select
        id={id('accessories')}
        multiple
        size={4}
        value={value.accessoryIds}
        onChange={(e) => set({ accessoryIds: [...e.target.selectedOptions].map((o) => o.value) })}
      >
        {catalog.accessories.edges.map(({ node }) => (
          <option key={node.id} value={node.id}>
            {node.name} ({node.price.amount} CNY)
          </option>
        ))}
      </select>
      {trim?.batteryOption === 'RENTAL' && (
        <>
          <label htmlFor={id('battery-plan')}>Option {n} battery plan</label>
          <select id={id('battery-plan')} value={value.batteryPlanId} onChange={(e) => set({ batteryPlanId: e.target.value })}>
            <option value="">The cheapest for the distance</option>
            {catalog.batteryPlans.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} ({p.monthlyFee.amount} CNY a month)
              </option>
            ))}
          </select>
        </>
      )}
      <label htmlFor={id('financing')}>Option {n} financing</label>
      <select id={id('financing')} value={value.kind} onChange={(e) => set({ kind: e.target.value as QuoteFinancingKind })}>
        <option value="CASH">Cash</option>
        <option value="LOAN">Loan</option>
        <option value="LEASE">Lease</option>
      </select>
      {value.kind !== 'CASH' && (
        <>
          <label htmlFor={id('down-payment')}>Option {n} down payment (CNY)</label>
          <input id={id('down-payment')} inputMode="decimal" pattern="\d+(\.\d{1,2})?" value={value.downPayment} onChange={(e) => set({ downPayment: e.target.value })} />
          <label htmlFor={id('term')}>Option {n} term (months)</label>
          <select id={id('term')} value={value.termMonths} onChange={(e) => set({ termMonths: e.target.value })}>
            {TERMS.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
          <label htmlFor={id('rate')}>Option {n} annual rate (basis points)</label>
          <input id={id('rate')} type="number" min={0} step={1} value={value.annualRateBps} onChange={(e) => set({ annualRateBps: e.target.value })} />
        </>
      )}
    </fieldset>
  );
}

/** The comparison in words: which option costs less over the period, and from which month on. */
function breakEvenText(options: ReadonlyArray<{ option: number; label: string }>, c: { cheaperOption?: number | null; breakEvenMonth?: number | null } | undefined): string {
  if (!c) return '';
  const label = (n: number) => options.find((o) => o.option === n)?.label ?? `Option ${n}`;
  if (c.cheaperOption == null) return 'Both options cost the same over these years.';
  if (c.breakEvenMonth == null) return `${label(c.cheaperOption)} costs less from the first month to the last: nothing to break even.`;
  return `Break-even in month ${c.breakEvenMonth}: from then on ${label(c.cheaperOption)} has cost less in total, through the last month.`;
}

export function QuotePage() {
  const catalog = useQuery(CATALOG_OPTIONS);
  const [options, setOptions] = useState<[OptionForm, OptionForm] | null>(null);
  const [years, setYears] = useState('5');
  const [distance, setDistance] = useState('15000');
  const [city, setCity] = useState('Guangzhou');
  const [compare, quote] = useLazyQuery(OWNERSHIP_QUOTE);

  useEffect(() => {
    if (catalog.data && !options) setOptions(defaults(catalog.data));
  }, [catalog.data, options]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!options) return;
    void compare({ variables: { input: { years: Number(years), annualDistanceKm: Number(distance), city, options: options.map(toInput) } } });
  };

  const result = quote.data?.ownershipQuote;
  const comparison = result?.comparisons.find((c) => c.option === 2 && c.against === 1);
  return (
    <section aria-labelledby="quote-heading">
      <h1 id="quote-heading">Quote</h1>
      <p>Configure two cars and see what each would cost you, month by month, over the years you would keep it.</p>
      {catalog.error && <ErrorNote error={catalog.error} />}
      {catalog.loading && <Loading what="the catalog" />}
      {catalog.data && options && (
        <form onSubmit={submit} className="quote-form">
          <fieldset className="shared">
            <legend>For both</legend>
            <label htmlFor="quote-years">Years</label>
            <input id="quote-years" type="number" min={1} max={8} value={years} onChange={(e) => setYears(e.target.value)} />
            <label htmlFor="quote-distance">Distance a year (km)</label>
            <input id="quote-distance" type="number" min={0} max={200000} step={1000} value={distance} onChange={(e) => setDistance(e.target.value)} />
            <label htmlFor="quote-city">City</label>
            <input id="quote-city" value={city} onChange={(e) => setCity(e.target.value)} />
          </fieldset>
          {options.map((o, i) => (
            <OptionFields key={i} n={i + 1} catalog={catalog.data!} value={o} onChange={(v) => setOptions(i === 0 ? [v, options[1]] : [options[0], v])} />
          ))}
          <button type="submit">Compare</button>
        </form>
      )}
      {quote.loading && <Loading what="the quote" />}
      {quote.error && <ErrorNote error={quote.error} />}
      {result && (
        <div className="quote-result" aria-live="polite">
          <h2>Over {result.years} years</h2>
          <ul className="option-totals">
            {result.options.map((o) => (
              <li key={o.option}>
                {o.label}: <strong><Money amount={o.total.amount} currency={o.total.currency} testId="quote-option-total" /></strong>
              </li>
            ))}
          </ul>
          <p data-testid="quote-break-even">
            {breakEvenText(result.options, comparison)}
          </p>
          <CumulativeChart options={result.options} />
        </div>
      )}
    </section>
  );
}

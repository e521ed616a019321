/**
 * What orders asks the catalog (as the `service` role): the price of a configuration and whether a trim
 * exists. The catalog's own errors (NOT_FOUND for an unknown trim, BAD_USER_INPUT for a repeated
 * accessory, ...) reach the client unchanged: the service client rethrows them with their code.
 */
import { GraphQLError } from 'graphql';
import { badInput, notFound } from '../../platform/errors';
import { parseDecimalToFen } from '../../platform/money';
import { isOrgId } from '../kit/ids';
import type { ServiceClient } from '../kit/subgraph';
import { PRICE_LINE_KINDS, type PackageEntitlementTerms, type PriceLine, type PriceLineKind } from './data/orders';

const QUOTE_QUERY = `query($t:ID!,$c:ID,$p:ID,$a:[ID!]){ quote(trimId:$t,colourId:$c,packageId:$p,accessoryIds:$a){ trimId batteryRental manufacturerOrg package { maintenancePlan { services years allowancePerService { amount } } fittedItems } total { amount } lines { kind refId description amount { amount } } } }`;

const TRIM_QUERY = `query($t:ID!){ trim(id:$t){ id available } }`;

/** Does `org` make any model? Exact however many models the catalog has: it asks for one of `org`'s own. */
const MAKES_ANY_MODEL_QUERY = `query($o:String!){ models(manufacturerOrg:$o, first:1) { edges { node { id } } } }`;

interface QuoteAnswer {
  quote: {
    trimId: string;
    batteryRental: boolean;
    manufacturerOrg: string;
    package: { maintenancePlan: { services: number; years: number; allowancePerService: { amount: string } } | null; fittedItems: string[] };
    total: { amount: string };
    lines: Array<{ kind: string; refId: string; description: string; amount: { amount: string } }>;
  };
}

/** A priced configuration, ready to be copied onto an order. */
export interface Quote {
  trimId: string;
  /** How the quote names the trim (its TRIM line, e.g. "Aion UT 420 Swap"), for spending lines. */
  trimName: string;
  batteryRental: boolean;
  manufacturerOrg: string;
  totalFen: bigint;
  lines: PriceLine[];
  /** The package the catalog priced (the STANDARD one when none was asked for). */
  packageId: string | null;
  /** What that package entitles the car to, as the catalog defines it today. */
  entitlement: PackageEntitlementTerms;
}

/** Thrown when the catalog answers something that breaks its own contract; never the client's fault. */
function broken(what: string): GraphQLError {
  return new GraphQLError(`the catalog's quote could not be used (${what}); try again later`, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}

/** Prices a configuration at today's catalog prices. */
export async function quote(
  services: ServiceClient,
  config: { trimId: string; colourId: string | null; packageId: string | null; accessoryIds: string[] },
): Promise<Quote> {
  const { quote: q } = await services.call<QuoteAnswer>('catalog', QUOTE_QUERY, {
    t: config.trimId,
    c: config.colourId,
    p: config.packageId,
    a: config.accessoryIds,
  });
  const lines: PriceLine[] = q.lines.map((l) => {
    if (!(PRICE_LINE_KINDS as readonly string[]).includes(l.kind)) throw broken(`unknown price line kind ${l.kind}`);
    return { kind: l.kind as PriceLineKind, refId: l.refId, description: l.description, amountFen: parseDecimalToFen(l.amount.amount) };
  });
  const totalFen = parseDecimalToFen(q.total.amount);
  // The order's total is stored as what its lines add up to; a quote whose lines do not is refused, not trusted.
  if (lines.reduce((sum, l) => sum + l.amountFen, 0n) !== totalFen) throw broken('its lines do not add up to its total');
  if (q.trimId !== config.trimId) throw broken('it priced another trim');
  if (totalFen <= 0n) throw broken('its total is not positive');
  const trimLine = lines.find((l) => l.kind === 'TRIM' && l.refId === q.trimId);
  if (!trimLine) throw broken('it has no line for the trim');
  return {
    trimId: q.trimId,
    trimName: trimLine.description,
    batteryRental: q.batteryRental,
    manufacturerOrg: q.manufacturerOrg,
    totalFen,
    lines,
    packageId: lines.find((l) => l.kind === 'PACKAGE')?.refId ?? config.packageId,
    entitlement: {
      maintenanceServices: q.package.maintenancePlan?.services ?? 0,
      maintenanceYears: q.package.maintenancePlan?.years ?? 0,
      maintenanceAllowanceFen: q.package.maintenancePlan ? parseDecimalToFen(q.package.maintenancePlan.allowancePerService.amount) : 0n,
      fittedItems: q.package.fittedItems,
    },
  };
}

/** Refuses an unknown trim (NOT_FOUND) or one no longer sold (BAD_USER_INPUT). */
export async function requireAvailableTrim(services: ServiceClient, trimId: string): Promise<void> {
  const { trim } = await services.call<{ trim: { id: string; available: boolean } | null }>('catalog', TRIM_QUERY, { t: trimId });
  if (!trim) throw notFound(`there is no trim ${trimId}`);
  if (!trim.available) throw badInput(`trim ${trimId} is no longer available`, 'trimId');
}

/**
 * Refuses (BAD_USER_INPUT naming `field`) an organisation that makes none of the catalog's models: a
 * trade-in is asked of a manufacturer, and a typo would leave it waiting for a dealer that never comes.
 */
export async function requireManufacturer(services: ServiceClient, org: string, field: string): Promise<void> {
  const refuse = () => badInput(`${field} must be a manufacturer organisation of the catalog, e.g. "gac-aion"; "${org.slice(0, 40)}" makes none of its models`, field);
  // Checked here so that the catalog's own BAD_USER_INPUT (naming its argument) never reaches the client.
  if (!isOrgId(org)) throw refuse();
  const { models } = await services.call<{ models: { edges: Array<{ node: { id: string } }> } }>('catalog', MAKES_ANY_MODEL_QUERY, { o: org });
  if (models.edges.length === 0) throw refuse();
}

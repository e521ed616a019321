/**
 * The price of one configuration at today's catalog prices — `Query.quote` (which orders prices orders
 * with) and every option of `Query.ownershipQuote`, so an order and an ownership quote of the same car
 * agree to the fen and refuse the same configurations.
 */
import { badInput, notFound } from '../../platform/errors';
import { money, sumFen } from '../../platform/money';
import type { SubgraphContext } from '../kit/subgraph';
import type { AccessoryRecord } from './data/options';
import type { CatalogLoaders } from './loaders';
import { readQuoteArgs, type FieldPath, type QuoteArgs } from './validation';

type Ctx = SubgraphContext<CatalogLoaders>;

type PriceLineKind = 'TRIM' | 'COLOUR' | 'PACKAGE' | 'ACCESSORY';
interface PriceLine {
  kind: PriceLineKind;
  refId: string;
  description: string;
  amountFen: bigint;
}

/**
 * Prices a configuration; `at` names each argument as the request has it, so a refusal says where.
 * Refused: an unknown trim, colour, package or accessory (NOT_FOUND), a trim no longer available or a
 * package the trim is not offered with (BAD_USER_INPUT).
 */
export async function priceConfiguration(args: QuoteArgs, ctx: Ctx, at: FieldPath = (f) => f) {
  const { trimId, colourId, packageId, accessoryIds } = readQuoteArgs(args, at);

  const { loaders } = ctx;
  // All lookups start together, so each kind is one batched statement.
  const [trim, colour, pkg, accessories, offered] = await Promise.all([
    loaders.trim.load(trimId),
    colourId ? loaders.colour.load(colourId) : Promise.resolve(null),
    packageId ? loaders.package.load(packageId) : loaders.packageByCode.load('STANDARD'),
    Promise.all(accessoryIds.map((id) => loaders.accessory.load(id))),
    loaders.packagesOfTrim.load(trimId),
  ]);

  if (!trim) throw notFound(`unknown trim "${trimId}"`, at('trimId'));
  if (!trim.available) throw badInput(`trim "${trimId}" (${trim.modelName} ${trim.name}) is no longer available; choose an available trim`, at('trimId'));
  if (colourId && !colour) throw notFound(`unknown colour "${colourId}"`, at('colourId'));
  if (!pkg) throw packageId ? notFound(`unknown package "${packageId}"`, at('packageId')) : new Error('the STANDARD package is missing from the catalog');
  if (!offered.some((p) => p.id === pkg.id)) {
    throw badInput(
      `package "${pkg.id}" (${pkg.name}) is not offered with trim "${trim.id}" (${trim.modelName} ${trim.name}); it is offered with ${offered.map((p) => `"${p.id}"`).join(', ') || 'no package'} (see Trim.packages)`,
      at('packageId'),
    );
  }
  const missing = accessoryIds.find((_, i) => !accessories[i]);
  if (missing) throw notFound(`unknown accessory "${missing}"`, at('accessoryIds'));

  const lines: PriceLine[] = [{ kind: 'TRIM', refId: trim.id, description: `${trim.modelName} ${trim.name}`, amountFen: trim.guidePriceFen }];
  if (colour) lines.push({ kind: 'COLOUR', refId: colour.id, description: `Colour: ${colour.name}`, amountFen: colour.surchargeFen });
  lines.push({ kind: 'PACKAGE', refId: pkg.id, description: `Package: ${pkg.name}`, amountFen: pkg.priceFen });
  for (const a of accessories as AccessoryRecord[]) lines.push({ kind: 'ACCESSORY', refId: a.id, description: `Accessory: ${a.name}`, amountFen: a.priceFen });

  const totalFen = sumFen(lines.map((l) => l.amountFen));
  return {
    trim,
    package: pkg,
    trimId: trim.id,
    batteryRental: trim.batteryOption === 'RENTAL',
    manufacturerOrg: trim.manufacturerOrg,
    lines: lines.map((l) => ({ kind: l.kind, refId: l.refId, description: l.description, amount: money(l.amountFen) })),
    total: money(totalFen),
    totalFen,
  };
}

export type PricedConfiguration = Awaited<ReturnType<typeof priceConfiguration>>;

/** The catalog's one mutation: a customer states (or restates) what they would buy of a model. */
import { notFound } from '../../platform/errors';
import { newId } from '../kit/ids';
import type { SubgraphContext } from '../kit/subgraph';
import { findModelAndColour, upsertPreference, type PreferenceRecord } from './data/preferences';
import type { CatalogLoaders } from './loaders';
import { requireCustomer } from './access';
import { readPreferenceInput, type PreferenceInput } from './validation';

type Ctx = SubgraphContext<CatalogLoaders>;

async function statePreference(input: PreferenceInput, ctx: Ctx): Promise<PreferenceRecord> {
  const who = requireCustomer(ctx.identity);
  const { modelId, colourId, minRangeKm, price, features } = readPreferenceInput(input);

  return ctx.db.tx(async (q) => {
    const found = await findModelAndColour(q, modelId, colourId);
    if (!found.model) throw notFound(`unknown model "${modelId}"`);
    if (colourId && !found.colour) throw notFound(`unknown colour "${colourId}"`);
    return upsertPreference(q, {
      id: newId('pref'),
      userId: who.sub,
      modelId,
      colourId,
      minRangeKm,
      batteryOption: input.batteryOption ?? null,
      priceExpectationFen: price,
      features,
      at: new Date(),
    });
  });
}

export const mutationResolvers = {
  statePreference: (_: unknown, args: { input: PreferenceInput }, ctx: Ctx) => statePreference(args.input, ctx),
};

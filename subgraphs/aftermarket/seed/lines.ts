/** The lines of a seeded invoice, by service type: parts and labour priced like a store's price list. */
import type { Rng } from '../../kit/seed';
import type { ServiceType } from '../data/stores';
import type { InvoiceLine } from '../data/invoices';

export type LineDraft = Omit<InvoiceLine, 'invoiceId' | 'position' | 'amountFen' | 'packageCovered' | 'packageSettledFen'>;

/** A price in fen between `min` and `max` yuan, ending in .00 or .90 like a price list. */
function price(rng: Rng, min: number, max: number): bigint {
  return BigInt(rng.int(min, max)) * 100n - (rng.chance(0.4) ? 10n : 0n);
}

function part(description: string, unitPriceFen: bigint, quantity = 1, warrantyCovered = false): LineDraft {
  return { kind: 'PART', description, quantity, unitPriceFen, warrantyCovered };
}
function labour(description: string, unitPriceFen: bigint, quantity = 1, warrantyCovered = false): LineDraft {
  return { kind: 'LABOUR', description, quantity, unitPriceFen, warrantyCovered };
}

const REPAIR_PARTS = ['Front bumper cover', 'Side mirror assembly', 'Headlamp unit', 'Suspension control arm', 'Rear light cluster'];
const WARRANTY_PARTS = ['Drive motor controller', 'Charging port assembly', 'Battery management module', 'Window regulator', 'Air-conditioning compressor'];
const MODIFICATIONS: Array<[string, number, number]> = [
  ['Roof rack', 900, 2400],
  ['Ambient lighting kit', 500, 1600],
  ['Tow bar', 1800, 3800],
  ['Alloy wheels (set of 4)', 4200, 8800],
  ['Dash camera', 500, 1500],
];

/**
 * The lines of one invoice. `forceOwnerPaidExtra` makes a warranty repair carry an owner-paid line too
 * (the demo user's guaranteed mixed invoice).
 */
export function draftLines(rng: Rng, type: ServiceType, forceOwnerPaidExtra = false): LineDraft[] {
  switch (type) {
    case 'MAINTENANCE': {
      const lines = [labour('Scheduled inspection', price(rng, 150, 300)), part('Cabin air filter', price(rng, 89, 169))];
      if (rng.chance(0.5)) lines.push(part('Brake fluid (1 L)', price(rng, 60, 120)));
      if (rng.chance(0.4)) lines.push(part('Wiper blades (pair)', price(rng, 79, 159)));
      if (rng.chance(0.3)) lines.push(part('Coolant top-up', price(rng, 40, 90)));
      // Now and then the inspection finds a defective part the warranty replaces.
      if (rng.chance(0.08)) lines.push(part('12V auxiliary battery', price(rng, 450, 800), 1, true));
      return lines;
    }
    case 'TYRES': {
      const tyres = rng.chance(0.6) ? 4 : 2;
      const lines = [part('Tyre 215/55 R17', price(rng, 450, 900), tyres), labour('Tyre fitting and balancing', price(rng, 40, 60), tyres)];
      if (rng.chance(0.5)) lines.push(labour('Wheel alignment', price(rng, 198, 298)));
      return lines;
    }
    case 'REPAIR': {
      const lines = [part(rng.pick(REPAIR_PARTS), price(rng, 600, 3500)), labour('Repair labour (hours)', price(rng, 120, 220), rng.int(1, 6))];
      if (rng.chance(0.5)) lines.push(part('Paint and materials', price(rng, 200, 900)));
      return lines;
    }
    case 'WARRANTY_REPAIR': {
      const lines = [part(rng.pick(WARRANTY_PARTS), price(rng, 800, 9000), 1, true), labour('Warranty repair labour (hours)', price(rng, 150, 200), rng.int(1, 4), true)];
      // While the car is in, the owner often has something small done at their own cost.
      if (forceOwnerPaidExtra || rng.chance(0.4)) lines.push(part('Wiper blades (pair)', price(rng, 79, 159)));
      return lines;
    }
    case 'FILM':
      return rng.chance(0.7)
        ? [part('Window film, full car', price(rng, 1800, 4800)), labour('Film fitting', price(rng, 300, 600))]
        : [part('Paint protection film, full body', price(rng, 6800, 15800)), labour('Film fitting', price(rng, 600, 1200))];
    case 'MODIFICATION': {
      const [description, min, max] = rng.pick(MODIFICATIONS);
      return [part(description, price(rng, min, max)), labour('Fitting labour (hours)', price(rng, 150, 250), rng.int(1, 4))];
    }
  }
}

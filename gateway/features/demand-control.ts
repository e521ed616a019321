/**
 * Feature: demand control. Every operation's cost is estimated (`gateway/cost.ts`, from the supergraph's
 * `@cost`/`@listSize`) once its operation is resolved, before it is planned or any subgraph is fetched,
 * and compared with the budget of the caller's role (COST_BUDGETS). DEMAND_CONTROL says what happens:
 *  - `enforce` (default): an operation over budget is refused, HTTP 400,
 *    `extensions.code: COST_ESTIMATED_TOO_EXPENSIVE`, the message naming the estimate, the role and the budget;
 *  - `measure`: nothing is refused, every response says its cost (to size budgets from real traffic);
 *  - `off`: nothing is estimated here (`requestCost` still estimates for whoever asks).
 * `extensions.cost` (`{ estimated, budget, mode }`) is on every response in measure mode and outside
 * production, and on every refusal; a production gateway enforcing does not tell clients their budget.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { NodeEnv } from '../../platform/env';
import { CLIENT_ROLES, isClientRole, type ClientRole } from '../../platform/identity';
import { costModelOf, DEFAULT_LIST_SIZE } from '../cost';
import { registerCostModel, requestCost } from '../cost-request';
import type { GatewayContext, GatewayFeature } from '../feature';

export const DEMAND_CONTROL_MODES = ['enforce', 'measure', 'off'] as const;
export type DemandControlMode = (typeof DEMAND_CONTROL_MODES)[number];
/** Who a budget is for: a client role, or a caller without a token. */
export type BudgetHolder = ClientRole | 'anonymous';
export type CostBudgets = Record<BudgetHolder, number>;

/**
 * Budgets a real client never reaches and an attack always does. The headline request with every link
 * costs 513 at its usual page of 20 lines and 1,313 at the largest page (100); a customer's largest page of
 * loans with their schedules costs 6,352; a page of 10,000 lines costs over 100,000, and twenty aliased
 * copies of the largest page over 20,000. The public catalog's largest page of models with their trims
 * costs 1,201. Analysts and admins read across every user (an analyst's sweep of everything one person
 * has costs about 77,000).
 */
export const DEFAULT_COST_BUDGETS: CostBudgets = { anonymous: 2_000, customer: 10_000, partner: 20_000, analyst: 100_000, admin: 200_000 };
const HOLDERS: readonly BudgetHolder[] = ['anonymous', ...CLIENT_ROLES];
const MAX_BUDGET = 1_000_000_000;

export interface DemandControlSettings {
  mode: DemandControlMode;
  budgets: CostBudgets;
  /** Whether every response carries `extensions.cost` (measure mode, and outside production). */
  report: boolean;
}

/** What the gateway does without DEMAND_CONTROL and COST_BUDGETS, in `nodeEnv`. */
export function defaultDemandControl(nodeEnv: NodeEnv): DemandControlSettings {
  return { mode: 'enforce', budgets: { ...DEFAULT_COST_BUDGETS }, report: nodeEnv !== 'production' };
}

/**
 * DEMAND_CONTROL (`enforce`, `measure` or `off`) and COST_BUDGETS: `holder=budget` pairs separated by
 * commas (`customer=8000,anonymous=500`), the holders being the roles and `anonymous`; one not named keeps
 * its default.
 */
export function readDemandControl(env: NodeJS.ProcessEnv, nodeEnv: NodeEnv, problems: string[]): DemandControlSettings {
  const settings = defaultDemandControl(nodeEnv);
  const mode = env.DEMAND_CONTROL?.trim();
  if (mode) {
    if ((DEMAND_CONTROL_MODES as readonly string[]).includes(mode)) settings.mode = mode as DemandControlMode;
    else problems.push(`DEMAND_CONTROL=${JSON.stringify(env.DEMAND_CONTROL)} must be one of ${DEMAND_CONTROL_MODES.join(', ')}`);
  }
  if (settings.mode === 'measure') settings.report = true;
  const raw = env.COST_BUDGETS;
  if (raw === undefined || raw.trim() === '') return settings;
  for (const pair of raw.split(',')) {
    const m = /^\s*([a-z]+)\s*=\s*(\d+)\s*$/.exec(pair);
    if (!m) {
      problems.push(`COST_BUDGETS=${JSON.stringify(raw)}: ${JSON.stringify(pair.trim())} is not holder=budget (e.g. customer=10000)`);
      continue;
    }
    const [, holder, value] = m;
    const budget = Number(value);
    if (!(HOLDERS as readonly string[]).includes(holder)) problems.push(`COST_BUDGETS: ${JSON.stringify(holder)} is not a role or anonymous (${HOLDERS.join(', ')})`);
    else if (budget < 1 || budget > MAX_BUDGET) problems.push(`COST_BUDGETS: ${holder}=${value} must be a whole number from 1 to ${MAX_BUDGET}`);
    else settings.budgets[holder as BudgetHolder] = budget;
  }
  return settings;
}

/** The budget holder a request is weighed as. */
function holderOf(context: GatewayContext): BudgetHolder {
  const role = context.identity?.role;
  return role && isClientRole(role) ? role : 'anonymous';
}

export function demandControlFeature(settings: DemandControlSettings): GatewayFeature {
  const { mode, budgets, report } = settings;
  /** The request's cost as judged against its holder's budget; throws when enforced and over it. */
  const judge = (estimated: number, context: GatewayContext, operationName: string | null | undefined) => {
    const holder = holderOf(context);
    const cost = { estimated, budget: budgets[holder], mode };
    if (mode === 'enforce' && estimated > cost.budget) {
      throw new GraphQLError(`operation${operationName ? ` ${operationName}` : ''} is estimated to cost ${estimated}, over the ${holder} budget of ${cost.budget}: ask for smaller pages or fewer copies of a list`, {
        extensions: { code: 'COST_ESTIMATED_TOO_EXPENSIVE', cost, http: { status: 400 } },
      });
    }
    return cost;
  };
  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      let cost: { estimated: number; budget: number; mode: DemandControlMode } | undefined;
      return {
        async didResolveOperation(rc) {
          if (mode === 'off') return;
          const estimated = requestCost(rc);
          if (estimated === undefined) return;
          cost = judge(estimated, rc.contextValue, rc.operationName);
        },
        async willSendResponse(rc) {
          if (!cost || !report || rc.response.body.kind !== 'single') return;
          const result = rc.response.body.singleResult;
          result.extensions = { ...result.extensions, cost };
        },
      };
    },
  };
  return {
    name: 'demand-control',
    // A whole cached answer is judged by the estimate recorded with it, against this caller's budget.
    admitEarlyAnswer(answer, { context, body }) {
      if (mode === 'off' || answer.facts.cost === undefined) return;
      const cost = judge(answer.facts.cost, context, body.operationName);
      return report ? { extensions: { cost } } : undefined;
    },
    onSchemaChange(apiSchema, supergraphSdl) {
      registerCostModel(apiSchema, costModelOf(supergraphSdl), { defaultListSize: DEFAULT_LIST_SIZE });
    },
    plugins: [plugin],
  };
}

/** CONTRACT_ROLES as start-up reads it: a safe default, explicit mappings, and one clear problem per bad value. */
import { ConfigError, loadConfig } from './config';

const problemsOf = (CONTRACT_ROLES: string): string => {
  try {
    loadConfig({ CONTRACT_ROLES });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`CONTRACT_ROLES=${CONTRACT_ROLES} was accepted`);
};

test('by default partners get the partner contract and nobody else is filtered; an empty value is the default', () => {
  expect(loadConfig({}).contractRoles).toEqual({ partner: 'partner' });
  expect(loadConfig({ CONTRACT_ROLES: ' ' }).contractRoles).toEqual({ partner: 'partner' });
});

test('roles can be mapped to a contract, and partners moved to the full schema only by saying so', () => {
  expect(loadConfig({ CONTRACT_ROLES: 'analyst=partner' }).contractRoles).toEqual({ partner: 'partner', analyst: 'partner' });
  expect(loadConfig({ CONTRACT_ROLES: 'partner=full, analyst = partner' }).contractRoles).toEqual({ analyst: 'partner' });
});

test('an unknown role, an unknown contract and a malformed pair are each refused, naming the variable', () => {
  expect(problemsOf('service=partner')).toMatch(/CONTRACT_ROLES: "service" is not a role \(customer, partner, analyst, admin\)/);
  expect(problemsOf('partner=public')).toMatch(/CONTRACT_ROLES: partner=public names no contract \(partner, full\)/);
  expect(problemsOf('partner')).toMatch(/CONTRACT_ROLES="partner": "partner" is not role=contract/);
  expect(problemsOf('partner=partner;admin=full')).toMatch(/is not role=contract/);
  const both = problemsOf('nobody=partner,partner=nothing');
  expect(both).toMatch(/"nobody" is not a role/);
  expect(both).toMatch(/partner=nothing names no contract/);
});

/** The one check of each kind of id a client sends: what passes, what is refused, and what the refusal says. */
import { refusalOf } from '../../testing/assertions';
import { checkId, checkOrgId, isOrgId, optionalId, parseVin } from './ids';

test('an id is 1 to 64 letters, digits, ".", "_", ":" or "-"; anything else is refused naming the field and the kind', () => {
  expect(checkId('store-s000001', 'storeId', 'store')).toBe('store-s000001');
  expect(checkId('x'.repeat(64), 'id')).toHaveLength(64);
  for (const bad of ['', 'a b', 'x'.repeat(65), 'ord-1;drop', 'ключ']) {
    expect(refusalOf(() => checkId(bad, 'storeId', 'store'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'storeId', message: expect.stringMatching(/^`storeId` is not a valid store id/) });
  }
  expect(refusalOf(() => checkId('a b', 'id')).message).toBe('`id` is not a valid id ("a b"): an id is 1 to 64 letters, digits, ".", "_", ":" or "-"');
  expect(refusalOf(() => checkId('y'.repeat(1000), 'id')).message!.length).toBeLessThan(150);
});

test('an optional id is null when not given and checked like any other when given', () => {
  expect([optionalId(null, 'colourId'), optionalId(undefined, 'colourId'), optionalId('colour-x', 'colourId')]).toEqual([null, null, 'colour-x']);
  expect(refusalOf(() => optionalId('', 'colourId'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'colourId' });
});

test('VINs are 17 characters without I, O or Q, normalised to upper case without surrounding spaces', () => {
  expect(parseVin(' ljdag000000000001 ')).toBe('LJDAG000000000001');
  for (const bad of ['LJDAG00000000001', 'LJDAG0000000000012', 'LJDAGI00000000001', 'LJDAGO00000000001', 'LJDAGQ00000000001', 'LJDAG 0000000000001']) {
    expect(refusalOf(() => parseVin(bad))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'vin', message: expect.stringMatching(/is not a VIN/) });
  }
  expect(refusalOf(() => parseVin('IOQ', 'input.vin'))).toMatchObject({ field: 'input.vin' });
});

test('organisation ids are lower-case words joined by hyphens; a refusal gives an example of the kind expected', () => {
  expect([isOrgId('gac-aion'), isOrgId('state-grid'), isOrgId('GAC'), isOrgId('-x'), isOrgId('a'.repeat(64))]).toEqual([true, true, false, false, false]);
  expect(checkOrgId('teld', 'networkOrg', 'state-grid')).toBe('teld');
  expect(refusalOf(() => checkOrgId('State Grid', 'networkOrg', 'state-grid'))).toEqual({
    code: 'BAD_USER_INPUT',
    field: 'networkOrg',
    message: '`networkOrg` must be an organisation id such as "state-grid"',
  });
});

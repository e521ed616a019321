/** The shared test helpers read results and amounts exactly: a helper that lied would let every test pass. */
import { GraphQLError } from 'graphql';
import { codeOf, fen, fieldOf, messageOf, ok, refusalOf } from './assertions';

const refused = { status: 200, errors: [{ message: 'there is no order ord-x', extensions: { code: 'NOT_FOUND', field: 'id' } }] };
const answered = { status: 200, data: { order: { id: 'ord-1' } } };

test('codeOf, messageOf and fieldOf read the first error, and say OK / nothing when there is none', () => {
  expect([codeOf(refused), messageOf(refused), fieldOf(refused)]).toEqual(['NOT_FOUND', 'there is no order ord-x', 'id']);
  expect([codeOf(answered), messageOf(answered), fieldOf(answered)]).toEqual(['OK', '', undefined]);
  expect(codeOf({ status: 200, data: {}, errors: [] })).toBe('OK');
});

test('ok returns the data, and fails with the errors when there are any', () => {
  expect(ok(answered)).toEqual({ order: { id: 'ord-1' } });
  expect(() => ok(refused)).toThrow(/NOT_FOUND/);
});

test('refusalOf reads what a check threw, says OK when it threw nothing, and lets any other failure through', () => {
  const refuse = () => {
    throw new GraphQLError('`vin` is not a VIN', { extensions: { code: 'BAD_USER_INPUT', field: 'vin' } });
  };
  expect(refusalOf(refuse)).toEqual({ code: 'BAD_USER_INPUT', field: 'vin', message: '`vin` is not a VIN' });
  expect(refusalOf(() => 'fine')).toEqual({ code: 'OK' });
  expect(() => refusalOf(() => JSON.parse('{'))).toThrow(SyntaxError);
});

test('fen reads a wire amount or a Money exactly, negative amounts included', () => {
  expect([fen('69800.00'), fen('0.01'), fen('-20000.00'), fen({ amount: '1234567.89' })]).toEqual([6_980_000n, 1n, -2_000_000n, 123_456_789n]);
  expect(fen('90071992547409.93')).toBe(9_007_199_254_740_993n); // beyond a double's exact integers
});

test.each(['12', '12.5', '12.345', '1e3', ' 1.00', ''])('fen refuses %j: the graph answers with exactly two decimals', (amount) => {
  expect(() => fen(amount)).toThrow(/exactly two decimals/);
});

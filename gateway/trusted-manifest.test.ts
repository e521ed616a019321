/**
 * Reading trusted-document manifests: both formats the tools write are read, and every wrong operation
 * is refused naming it and what is wrong.
 */
import { ManifestError, MANIFEST_MAX_BYTES, readManifest, sha256Hex } from './trusted-manifest';

const ME = 'query Me { me { id } }';
const MODELS = 'query Models { models { id name } }';
const op = (body: string, extra: Record<string, unknown> = {}) => ({ id: sha256Hex(body), name: /query (\w+)/.exec(body)?.[1], type: 'query', body, ...extra });
const apollo = (operations: unknown[]) => ({ format: 'apollo-persisted-query-manifest', version: 1, operations });

function problemsOf(manifest: unknown): readonly string[] {
  try {
    readManifest(manifest);
  } catch (err) {
    if (err instanceof ManifestError) return err.problems;
    throw err;
  }
  throw new Error('the manifest was accepted');
}

test("reads the manifest @apollo/generate-persisted-query-manifest writes, each operation with its id, name and type", () => {
  const docs = readManifest(JSON.stringify(apollo([op(ME), op('mutation Pay { pay }', { name: 'Pay', type: 'mutation' })])));
  expect(docs).toEqual([
    { id: sha256Hex(ME), name: 'Me', type: 'query', body: ME },
    { id: sha256Hex('mutation Pay { pay }'), name: 'Pay', type: 'mutation', body: 'mutation Pay { pay }' },
  ]);
});

test("reads Relay's persisted-query map (SHA-256 ids), fragments allowed beside the one operation", () => {
  const withFragment = 'query Models { models { ...M } } fragment M on VehicleModel { id }';
  const docs = readManifest({ [sha256Hex(ME)]: ME, [sha256Hex(withFragment)]: withFragment });
  expect(docs.map((d) => d.name)).toEqual(['Me', 'Models']);
});

test('an id that is not the SHA-256 of its body is refused, naming the operation and the hash it should be', () => {
  const [problem] = problemsOf(apollo([op(ME), { ...op(MODELS), id: sha256Hex('something else') }]));
  expect(problem).toContain('operations[1] (Models)');
  expect(problem).toContain(`that is ${sha256Hex(MODELS)}`);
});

test("Relay's default MD5 ids are refused as not SHA-256", () => {
  const [problem] = problemsOf({ '0123456789abcdef0123456789abcdef': ME });
  expect(problem).toMatch(/document 0123456789abcdef0123456789abcdef: id .* is not a SHA-256 hex digest/);
});

test('a body that does not parse, or holds two operations, or none, is refused naming it', () => {
  const broken = 'query Broken { me { id }';
  const two = 'query A { me { id } } query B { me { id } }';
  const none = 'fragment F on User { id }';
  const problems = problemsOf(apollo([op(broken, { name: 'Broken' }), op(two, { name: 'A' }), op(none, { name: undefined })]));
  expect(problems[0]).toMatch(/^operations\[0\] \(Broken\): body does not parse: Syntax Error/);
  expect(problems[1]).toBe('operations[1] (A): body holds 2 operations (A, B): a trusted document is exactly one operation');
  expect(problems[2]).toBe('operations[2]: body holds 0 operations: a trusted document is exactly one operation');
});

test("a name or type that is not the body's is refused", () => {
  const problems = problemsOf(apollo([op(ME, { name: 'NotMe' }), op(MODELS, { type: 'mutation' })]));
  expect(problems).toEqual([
    'operations[0] (NotMe): name "NotMe" is not the operation\'s name in its body ("Me")',
    'operations[1] (Models): type "mutation" is not the operation\'s type in its body (query)',
  ]);
});

test('a wrong format, version, unknown field or no operation at all is refused', () => {
  expect(problemsOf({ format: 'other', version: 2, operations: [op(ME)] })).toEqual([
    'format "other" is not "apollo-persisted-query-manifest"',
    'version 2 is not 1 (the version @apollo/generate-persisted-query-manifest writes)',
  ]);
  expect(problemsOf(apollo([{ ...op(ME), extra: 1 }]))[0]).toContain('"extra" is not a field of an operation');
  expect(problemsOf(apollo([]))).toEqual(['the manifest holds no operation']);
  expect(problemsOf([op(ME)])[0]).toMatch(/^a manifest is a JSON object/);
  expect(problemsOf('{ not json')[0]).toMatch(/^the manifest is not JSON/);
});

test('an oversized manifest is refused before it is parsed, with the limit and its size', () => {
  const huge = JSON.stringify(apollo([op(ME)])) + ' '.repeat(MANIFEST_MAX_BYTES);
  expect(problemsOf(huge)).toEqual([`the manifest is ${Buffer.byteLength(huge)} bytes, over the limit of ${MANIFEST_MAX_BYTES}`]);
});

/** Introspection through the gateway follows the configuration (INTROSPECTION; off by default in production). */
import { startTestGraph, as, type TestGraph } from '../testing/harness';

const INTROSPECT = '{ __schema { queryType { name } } }';

describe('introspection switched off', () => {
  let g: TestGraph;
  beforeAll(async () => {
    g = await startTestGraph({ introspection: false });
  });
  afterAll(async () => g.stop());

  test('__schema and __type are refused with a validation error, even for an admin; ordinary queries still run', async () => {
    const schema = await g.gql(INTROSPECT, {}, as.admin());
    expect(schema.status).toBe(400);
    expect(schema.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(schema.errors?.[0].message).toMatch(/introspection is not allowed/i);
    const type = await g.gql('{ __type(name: "Query") { name } }');
    expect(type.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const me = await g.gql('{ me { id } }', {}, as.customer('u-intro'));
    expect(me.data.me.id).toBe('u-intro');
  });
});

describe('introspection switched on', () => {
  let g: TestGraph;
  beforeAll(async () => {
    g = await startTestGraph({ introspection: true });
  });
  afterAll(async () => g.stop());

  test('__schema answers', async () => {
    const res = await g.gql(INTROSPECT);
    expect(res.data.__schema.queryType.name).toBe('Query');
  });
});

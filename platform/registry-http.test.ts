import { registryUrl } from './registry-http';

test('a registry URL keeps the path prefix of its base, with or without a trailing slash', () => {
  expect(registryUrl('http://registry:4100', '/v1/supergraph')).toBe('http://registry:4100/v1/supergraph');
  expect(registryUrl('http://registry:4100/', '/v1/supergraph')).toBe('http://registry:4100/v1/supergraph');
  expect(registryUrl('https://host/registry/', '/v1/usage')).toBe('https://host/registry/v1/usage');
});

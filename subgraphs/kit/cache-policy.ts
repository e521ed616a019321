/**
 * Each operation's cache policy in its own answer (`extensions.cachePolicy: { maxAge, scope }`), as well
 * as in the `Cache-Control` header: when the gateway sends several operations in one HTTP request (a
 * batch), the header is shared by all of them and cannot say which is which, so it reads this instead.
 * No `cachePolicy`: not cacheable.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

export function cachePolicyExtensionPlugin<T extends BaseContext>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, overallCachePolicy }) {
          const policy = overallCachePolicy.policyIfCacheable();
          if (!policy || response.body.kind !== 'single' || response.body.singleResult.errors) return;
          response.body.singleResult.extensions = { ...response.body.singleResult.extensions, cachePolicy: { maxAge: policy.maxAge, scope: policy.scope } };
        },
      };
    },
  };
}

/**
 * The app's one Apollo Client. Every operation goes as a trusted document: the persisted-query link sends
 * only `extensions.persistedQuery.sha256Hash`, the id `npm run web:build` wrote into the manifest for that
 * operation's name, and never the query text (no retry with the text: the gateway safelists client `web`,
 * so an unknown id is refused, not registered). `name: 'web'` makes every request carry
 * `apollographql-client-name: web`, the client whose documents the gateway holds it to.
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, from } from '@apollo/client';
import { onError } from '@apollo/client/link/error';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { generatePersistedQueryIdsFromManifest } from '@apollo/persisted-query-lists';
import operationIds from './gql/operation-ids.json';
import possibleTypes from './gql/possible-types.json';
import { currentToken, signOut } from './session';

export const WEB_CLIENT_NAME = 'web';

export function createClient(graphqlPath: string, onSignedOut: () => void): ApolloClient<unknown> {
  const auth = new ApolloLink((operation, forward) => {
    const token = currentToken();
    if (token) operation.setContext(({ headers = {} }: { headers?: Record<string, string> }) => ({ headers: { ...headers, authorization: `Bearer ${token}` } }));
    return forward(operation);
  });
  const expired = onError(({ graphQLErrors }) => {
    if (graphQLErrors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) {
      signOut();
      onSignedOut();
    }
  });
  const persisted = createPersistedQueryLink({
    ...generatePersistedQueryIdsFromManifest({ loadManifest: () => ({ operations: operationIds }) }),
    retry: () => false,
  });
  return new ApolloClient({
    name: WEB_CLIENT_NAME,
    link: from([expired, auth, persisted, new HttpLink({ uri: graphqlPath })]),
    cache: new InMemoryCache({
      possibleTypes,
      typePolicies: {
        // Reports and pages have no id of their own: kept inside the user they belong to, keyed by arguments.
        SpendingReport: { keyFields: false },
        SpendingLinePage: { keyFields: false },
      },
    }),
  });
}

/** How a page shows what the graph refused: the message a person can act on, and "Not found" for NOT_FOUND. */
import type { ApolloError } from '@apollo/client';

export const isNotFound = (error: ApolloError | undefined) => Boolean(error?.graphQLErrors.some((e) => e.extensions?.code === 'NOT_FOUND'));

export function ErrorNote({ error }: { error: ApolloError }) {
  if (isNotFound(error)) return <p role="alert">Not found</p>;
  return (
    <p role="alert" className="error">
      The graph could not answer: {error.graphQLErrors[0]?.message ?? error.networkError?.message ?? error.message}
    </p>
  );
}

export const Loading = ({ what }: { what: string }) => (
  <p role="status" aria-live="polite">
    Loading {what}…
  </p>
);

/**
 * The README's headline request — a user's whole car spending, with every `paidFor` link — as one
 * constant: the explorer prefills it, `npm start` prints it as a ready-to-paste curl, and the limits
 * test checks that every subgraph fetch of its plan fits the subgraph limits.
 */
/** Word for word the README's "headline question" block (gateway/explorer.test.ts compares them). */
export const HEADLINE_QUERY = `query MySpending($from: DateTime, $to: DateTime, $first: Int, $after: String) {
  me {
    id
    spending(from: $from, to: $to) {
      total { amount currency }
      byCategory { category total { amount currency } }
      byMonth { month total { amount currency } }
      lines(first: $first, after: $after) {
        edges {
          node {
            occurredAt category description amount { amount currency }
            paidFor {
              __typename
              ... on Order { id trim { name model { name } } }
              ... on Instalment { sequence loan { order { id } } }
              ... on ServiceInvoice { store { name } }
              ... on SwapSession { station { name } }
            }
          }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
`;

/** Reading a subgraph's `Cache-Control` as Apollo's cache policy does: the data source and the response cache share it. */

/** The cache hint a subgraph's `Cache-Control` gives: `max-age` (0 when absent) and its scope. */
export function cacheHintOf(header: string | undefined): { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } {
  const hint: { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } = { maxAge: 0 };
  for (const part of (header ?? '').split(',')) {
    const [name, value] = part.trim().toLowerCase().split('=');
    if (name === 'max-age' && value !== undefined && /^[0-9]+$/.test(value)) hint.maxAge = Number(value);
    else if (name === 'private') hint.scope = 'PRIVATE';
    else if (name === 'public' && hint.scope !== 'PRIVATE') hint.scope = 'PUBLIC';
  }
  return hint;
}

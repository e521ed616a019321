/**
 * What a subgraph may be called, wherever a name comes from (a folder of this tree, a name published to
 * the schema registry): lower case letters, digits and `_`, starting with a letter, at most 40 — it is
 * also a PostgreSQL schema name and part of environment variable names (`<NAME>_URL`).
 */
export const SUBGRAPH_NAME = /^[a-z][a-z0-9_]{0,39}$/;

export const isSubgraphName = (name: string): boolean => SUBGRAPH_NAME.test(name);

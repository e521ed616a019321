/** The store network's SQL (`aftermarket.stores`): what each store is and offers, looked up and listed. */
import { insertAll, type BulkTableSpec } from '../../kit/bulk';
import type { Queryable } from '../../../platform/db';
import type { Row } from './rows';

export const STORE_KINDS = ['MAINTENANCE', 'COOPERATIVE', 'MODIFICATION', 'FILM'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];
export const SERVICE_TYPES = ['MAINTENANCE', 'REPAIR', 'TYRES', 'FILM', 'MODIFICATION', 'WARRANTY_REPAIR'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export interface Store {
  id: string;
  name: string;
  kind: StoreKind;
  city: string;
  address: string;
  org: string;
  services: ServiceType[];
}

/** A keyset position in the store listing, ordered by (name, id). */
export interface NameKey {
  name: string;
  id: string;
}

const STORE_COLUMNS = `id, name, kind, city, address, org, services`;

function toStore(r: Row): Store {
  return {
    id: String(r.id),
    name: String(r.name),
    kind: r.kind as StoreKind,
    city: String(r.city),
    address: String(r.address),
    org: String(r.org),
    services: r.services as ServiceType[],
  };
}

export async function storesByIds(q: Queryable, ids: readonly string[]): Promise<Store[]> {
  const rows = await q.query<Row>(`SELECT ${STORE_COLUMNS} FROM aftermarket.stores WHERE id = ANY($1::text[])`, [ids]);
  return rows.map(toStore);
}

/** Up to `limit` stores after `after` in (name, id) order, optionally of one city (case-insensitive) and kind. */
export async function listStores(q: Queryable, filter: { city: string | null; kind: StoreKind | null }, after: NameKey | null, limit: number): Promise<Store[]> {
  const rows = await q.query<Row>(
    `SELECT ${STORE_COLUMNS} FROM aftermarket.stores
      WHERE ($1::text IS NULL OR lower(city) = lower($1::text))
        AND ($2::text IS NULL OR kind = $2::text)
        AND ($3::text IS NULL OR (name COLLATE "C", id COLLATE "C") > ($3::text COLLATE "C", $4::text COLLATE "C"))
      ORDER BY name COLLATE "C", id COLLATE "C"
      LIMIT $5`,
    [filter.city, filter.kind, after?.name ?? null, after?.id ?? null, limit],
  );
  return rows.map(toStore);
}

/** The stores table for the bulk writers. */
export const STORES_TABLE: BulkTableSpec<Store> = {
  name: 'aftermarket.stores',
  columns: [['id', 'text'], ['name', 'text'], ['kind', 'text'], ['city', 'text'], ['address', 'text'], ['org', 'text'], ['services', 'text[]']],
  row: (s) => [s.id, s.name, s.kind, s.city, s.address, s.org, s.services],
};

export async function insertStoreRows(q: Queryable, stores: Store[]): Promise<void> {
  await insertAll(q, STORES_TABLE, stores);
}

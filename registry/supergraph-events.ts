/**
 * Telling gateways (and peer-following subgraphs) that the current supergraph changed, as a
 * server-sent-events stream: `GET /v1/supergraph/events` sends the current supergraph id when a client
 * connects, every new one as it becomes current, and a comment line as a heartbeat (so a client, or a
 * proxy in between, can tell a quiet stream from a dead one).
 *
 * Between registry replicas on one PostgreSQL database, a publish, removal or rollback sends
 * `pg_notify(SUPERGRAPH_CHANNEL, id)` inside its transaction (`store.ts`), and every registry process
 * LISTENs on a dedicated connection (`Db.listen`) and fans the event out to its own clients. On the
 * embedded PGlite the one process hears its own notify the same way. What is sent is always re-read from
 * the database — not the payload — so an event that overtakes another cannot make a client go back.
 * SSE is written by hand: it is a few lines of text framing over a plain response, no library needed.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../platform/db';
import { logger } from '../platform/logger';
import { currentSupergraph, SUPERGRAPH_CHANNEL } from './store';

export const DEFAULT_HEARTBEAT_MS = 15_000;

export interface SupergraphEvents {
  /** Serves one events stream until the client goes away or the registry stops. */
  serve(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Ends every stream and stops listening. */
  close(): Promise<void>;
}

export async function supergraphEvents(db: Db, opts: { heartbeatMs?: number } = {}): Promise<SupergraphEvents> {
  const clients = new Set<ServerResponse>();
  let lastSent: string | null | undefined;
  const send = (res: ServerResponse, id: string | null) => res.write(`event: supergraph\ndata: ${JSON.stringify({ id })}\n\n`);

  /** Re-reads the current supergraph and tells every client when it moved (reads are serialised: events keep their order). */
  let reading = Promise.resolve();
  const refresh = () => {
    reading = reading.then(async () => {
      try {
        const id = (await currentSupergraph(db))?.id ?? null;
        if (id === lastSent) return;
        lastSent = id;
        for (const res of clients) send(res, id);
      } catch (err) {
        logger.warn({ service: 'registry', err }, 'reading the current supergraph after a change notification failed; clients still poll');
      }
    });
  };

  const unlisten = await db.listen(SUPERGRAPH_CHANNEL, refresh, () => {
    logger.info({ service: 'registry' }, 'listening for supergraph changes again');
    refresh();
  });
  const heartbeat = setInterval(() => {
    for (const res of clients) res.write(': heartbeat\n\n');
  }, opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  heartbeat.unref();

  return {
    async serve(req, res) {
      const current = (await currentSupergraph(db))?.id ?? null;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        // Asks nginx-style proxies not to buffer the stream (clients poll as well, for proxies that do).
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      });
      // How long a client should wait before reconnecting after the stream ends.
      res.write('retry: 1000\n\n');
      send(res, current);
      clients.add(res);
      req.socket.setTimeout(0);
      res.once('close', () => clients.delete(res));
    },
    async close() {
      clearInterval(heartbeat);
      await unlisten();
      for (const res of clients) res.end();
      clients.clear();
    },
  };
}

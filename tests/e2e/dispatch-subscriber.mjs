// Subscribes with the real graphql-ws client (over `ws`) to a never-ending subscription, prints "subscribed" once the
// subscribe message is sent, collects the expected number of events, then disposes the client (which completes the
// subscription on the server) and prints them as JSON.
//   node dispatch-subscriber.mjs <ws url> <query> <expected event count> <connection_init payload JSON>
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, query, expected = '1', init = 'null'] = process.argv.slice(2);
if (!url || !query) {
  console.error('usage: node dispatch-subscriber.mjs <ws url> <query> <expected event count> <connection_init payload JSON>');
  process.exit(2);
}

const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: JSON.parse(init) ?? undefined, retryAttempts: 0, lazy: true });
const deadline = setTimeout(() => {
  console.error('timed out waiting for events');
  process.exit(1);
}, 60000);

const events = [];
try {
  const iterator = client.iterate({ query });
  console.log('subscribed');
  for await (const result of iterator) {
    if (result.errors) throw new Error(`errors: ${JSON.stringify(result.errors)}`);
    events.push(result.data);
    if (events.length >= Number(expected)) break; // return() sends `complete` to the server
  }
} catch (error) {
  console.error('subscription failed:', error instanceof Error ? error.message : JSON.stringify(error));
  process.exit(1);
} finally {
  clearTimeout(deadline);
  await client.dispose();
}

console.log(`events ${JSON.stringify(events)}`);

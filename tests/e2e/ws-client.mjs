// Subscribes with the real graphql-ws client (over the `ws` package) and checks that events arrive and the
// subscription completes.
//   node ws-client.mjs <ws url> [query] [expected event count] [connection_init payload as JSON]
// e.g. node ws-client.mjs ws://127.0.0.1:5000/graphql 'subscription { ticks(count: 3) }' 3 '{"token":"valid"}'
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, query = 'subscription { ticks(count: 3) }', expected = '3', init = 'null'] = process.argv.slice(2);
if (!url) {
  console.error('usage: node ws-client.mjs <ws url> [query] [expected event count] [connection_init payload JSON]');
  process.exit(2);
}

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: JSON.parse(init) ?? undefined,
  retryAttempts: 0,
  lazy: true,
});

const deadline = setTimeout(() => {
  console.error('timed out waiting for the subscription to complete');
  process.exit(1);
}, 15000);

const events = [];
try {
  for await (const result of client.iterate({ query })) {
    if (result.errors) throw new Error(`errors: ${JSON.stringify(result.errors)}`);
    events.push(result.data);
  }
} catch (error) {
  console.error('subscription failed:', error instanceof Error ? error.message : JSON.stringify(error));
  process.exit(1);
} finally {
  clearTimeout(deadline);
  await client.dispose();
}

console.log(`received ${events.length} events then complete: ${JSON.stringify(events)}`);
if (events.length !== Number(expected)) {
  console.error(`expected ${expected} events`);
  process.exit(1);
}

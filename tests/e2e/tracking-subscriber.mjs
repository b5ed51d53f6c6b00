// Subscribes to technicianLocations with the real graphql-ws client (over the `ws` package) and exits 0 as soon as an
// event carries the given technician; exits 1 on error or after 45 s.
//   node tracking-subscriber.mjs <ws url> <jwt> <technician id>
// Prints "CONNECTED" once the socket is acknowledged, then "RECEIVED <location json>".
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, token, technicianId] = process.argv.slice(2);
if (!url || !token || !technicianId) {
  console.error('usage: node tracking-subscriber.mjs <ws url> <jwt> <technician id>');
  process.exit(2);
}

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { token },
  retryAttempts: 0,
  on: { connected: () => console.log('CONNECTED') },
});

const deadline = setTimeout(() => {
  console.error('timed out waiting for a location of ' + technicianId);
  process.exit(1);
}, 45000);

const query = `subscription($ids: [ID!]) {
  technicianLocations(technicianIds: $ids) { technicianId position { latitude longitude } timestamp speed heading accuracy }
}`;

try {
  for await (const result of client.iterate({ query, variables: { ids: [technicianId] } })) {
    if (result.errors) throw new Error(`errors: ${JSON.stringify(result.errors)}`);
    const match = result.data.technicianLocations.find((l) => l.technicianId === technicianId);
    if (match) {
      console.log('RECEIVED ' + JSON.stringify(match));
      break;
    }
  }
} catch (error) {
  console.error('subscription failed:', error instanceof Error ? error.message : JSON.stringify(error));
  process.exit(1);
} finally {
  clearTimeout(deadline);
  await client.dispose();
}
process.exit(0);

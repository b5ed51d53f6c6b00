// Runs the graphql-http server audit suite (GraphQL-over-HTTP conformance) against a running server.
//   node audit.mjs http://127.0.0.1:5000/graphql      (or GRAPHQL_URL=… node audit.mjs)
// Prints one line per failed audit and a summary; exits 1 on any MUST failure or SHOULD warning.
import { auditServer } from 'graphql-http';

const url = process.argv[2] ?? process.env.GRAPHQL_URL;
if (!url) {
  console.error('usage: node audit.mjs <graphql endpoint url>');
  process.exit(2);
}

const results = await auditServer({ url });

const levels = ['MUST', 'SHOULD', 'MAY'];
const counts = Object.fromEntries(levels.map((level) => [level, { pass: 0, fail: 0 }]));
for (const result of results) {
  const level = levels.find((l) => result.name.startsWith(l)) ?? 'MAY';
  if (result.status === 'ok') {
    counts[level].pass++;
  } else {
    counts[level].fail++;
    const status = result.response ? ` (HTTP ${result.response.status})` : '';
    console.log(`${result.status.toUpperCase()} ${result.id} ${result.name}: ${result.reason}${status}`);
  }
}

const summary = levels.map((l) => `${l} ${counts[l].pass} passed, ${counts[l].fail} failed`).join('; ');
console.log(`graphql-http audit of ${url}: ${results.length} audits; ${summary}`);
console.log(`AUDIT_JSON ${JSON.stringify(counts)}`);
process.exit(counts.MUST.fail > 0 || counts.SHOULD.fail > 0 ? 1 : 0);

// Imports a bundled handler in this fresh process (INIT runs here) and invokes it with the events in
// argv[3] (JSON array) and a fake Lambda context; prints one JSON line with the results.
const [file, events] = process.argv.slice(2);
const module = await import(file);
const context = { getRemainingTimeInMillis: () => 3000, functionName: 'orders-api' };
const results = [];
for (const event of JSON.parse(events)) results.push(await module.handler(event, context));
console.log(JSON.stringify({ results, stats: module.stats?.() }));

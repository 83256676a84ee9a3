// The app every packaging fixture runs: score a small book with the package's Scorer and say
// what came out. The test computes the same from the built package and compares.
export const EVENTS = [
  ...Array.from({ length: 20 }, (_, d) => ({ clientId: 'daily', timestamp: `2024-06-${String(d + 1).padStart(2, '0')}`, kind: 'usage', feature: d % 2 ? 'search' : 'export' })),
  { clientId: 'once', timestamp: '2024-01-05', kind: 'purchase', value: 30 },
  { clientId: 'support', timestamp: '2024-06-25', kind: 'support', messages: 9, reopened: true, cost: 40 },
  { clientId: 'support', timestamp: '2024-06-28', kind: 'usage' },
];

/** The result as plain data: each client's id, status, engagement and top play. */
export function run({ Scorer }) {
  const s = new Scorer({ asOf: '2024-06-30' });
  s.ingest(EVENTS);
  const r = s.score();
  return {
    clients: r.clients.map((c) => [c.clientId, c.status, c.engagement.score, c.plays[0]?.play ?? null]),
    counts: r.portfolio.statusCounts,
  };
}

import { Counter, Histogram, Registry } from 'prom-client';
import { counterTally, histogramTally } from './tally';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05];
const LABELS = ['service', 'method', 'route', 'brand'] as const;

function pair(registry: Registry, kind: 'counter' | 'histogram') {
  const config = { help: 'h', labelNames: [...LABELS], registers: [registry] };
  if (kind === 'counter')
    return {
      direct: new Counter({ name: 'direct_total', ...config }),
      tallied: new Counter({ name: 'tallied_total', ...config }),
    };
  return {
    direct: new Histogram({ name: 'direct_seconds', buckets: BUCKETS, ...config }),
    tallied: new Histogram({ name: 'tallied_seconds', buckets: BUCKETS, ...config }),
  };
}

/** The metric's values as /metrics would show them, without the metric name. */
async function values(metric: Counter<string> | Histogram<string>) {
  const { values: list } = await metric.get();
  return list
    .map((v) => ({
      ...v,
      metricName: (v as { metricName?: string }).metricName?.replace(/^[a-z]+_/, ''),
      // Sums are added in another order (per hand-over, then into the series): equal to 1e-9.
      value: Math.round(v.value * 1e9) / 1e9,
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

describe('counter tally', () => {
  it('shows the same series and counts as direct inc() calls, at every read', async () => {
    const registry = new Registry();
    const { direct, tallied } = pair(registry, 'counter') as {
      direct: Counter<string>;
      tallied: Counter<string>;
    };
    const tally = counterTally(tallied);
    const calls = [
      { service: 'gateway', method: 'GET', route: '/api/v1/user/*', brand: '1' },
      { service: 'gateway', method: 'GET', route: '/api/v1/user/*', brand: '2' },
      { service: 'gateway', method: 'POST', route: '/api/v1/user/*', brand: '1' },
      { service: 'gateway', method: 'GET', route: '/api/v1/user/*', brand: '1' },
    ];
    for (const labels of calls) {
      direct.inc(labels);
      tally.inc(labels);
    }
    expect(await values(tallied)).toEqual(await values(direct));
    // Counted again after a read: the next read adds only what came since.
    direct.inc(calls[0]);
    tally.inc(calls[0]);
    expect(await values(tallied)).toEqual(await values(direct));
    expect(await registry.metrics()).toContain(
      'tallied_total{service="gateway",method="GET",route="/api/v1/user/*",brand="1"} 3',
    );
  });

  it('rejects an unknown label at the call, as prom-client does', () => {
    const tally = counterTally(pair(new Registry(), 'counter').tallied as Counter<string>);
    expect(() => tally.inc({ service: 'gateway', nope: 'x' } as never)).toThrow(/label/i);
  });

  it('keeps its own copy of the labels and one tally per metric', async () => {
    const registry = new Registry();
    const { tallied } = pair(registry, 'counter') as { tallied: Counter<string> };
    const labels = { service: 'gateway', method: 'GET', route: '/r', brand: '1' };
    counterTally(tallied).inc(labels);
    labels.brand = '2'; // the caller reuses its object
    counterTally(tallied).inc({ service: 'gateway', method: 'GET', route: '/r', brand: '1' });
    const [series] = (await tallied.get()).values;
    expect(series).toMatchObject({ labels: { brand: '1' }, value: 2 });
  });

  it("runs the metric's own collect hook after handing over", async () => {
    const registry = new Registry();
    const seen: number[] = [];
    const metric = new Counter({
      name: 'hooked_total',
      help: 'h',
      labelNames: ['a'],
      registers: [registry],
      collect() {
        seen.push(1);
      },
    });
    counterTally(metric).inc({ a: 'x' });
    expect((await metric.get()).values[0].value).toBe(1);
    expect(seen).toHaveLength(1);
  });
});

describe('histogram tally', () => {
  // On bounds, between them, below the first and above the last (+Inf only).
  const observations = [0.0001, 0.001, 0.0012, 0.0025, 0.003, 0.01, 0.04, 0.05, 0.07, 3, 0.0049];

  it('shows the same buckets, sums and counts as direct observe() calls', async () => {
    const registry = new Registry();
    const { direct, tallied } = pair(registry, 'histogram') as {
      direct: Histogram<string>;
      tallied: Histogram<string>;
    };
    const tally = histogramTally(tallied);
    observations.forEach((value, i) => {
      const labels = {
        service: 'gateway',
        method: 'GET',
        route: '/api/v1/user/*',
        brand: String(1 + (i % 2)),
      };
      direct.observe(labels, value);
      tally.observe(labels, value);
    });
    const expected = await values(direct);
    expect(expected.length).toBe(2 * (BUCKETS.length + 1 + 2)); // two series: buckets, +Inf, sum, count
    expect(await values(tallied)).toEqual(expected);
    // And again, on top of what was handed over.
    for (const value of observations) {
      const labels = { service: 'gateway', method: 'GET', route: '/api/v1/user/*', brand: '2' };
      direct.observe(labels, value);
      tally.observe(labels, value);
    }
    expect(await values(tallied)).toEqual(await values(direct));
  });

  it('starts a series again after a reset', async () => {
    const registry = new Registry();
    const { direct, tallied } = pair(registry, 'histogram') as {
      direct: Histogram<string>;
      tallied: Histogram<string>;
    };
    const tally = histogramTally(tallied);
    const labels = { service: 'gateway', method: 'GET', route: '/r', brand: '1' };
    for (const value of observations) tally.observe(labels, value);
    await tallied.get();
    tallied.reset();
    for (const value of [0.002, 0.02]) {
      direct.observe(labels, value);
      tally.observe(labels, value);
    }
    expect(await values(tallied)).toEqual(await values(direct));
  });

  it('refuses a value that is not a finite number', () => {
    const tally = histogramTally(pair(new Registry(), 'histogram').tallied as Histogram<string>);
    const labels = { service: 'gateway', method: 'GET', route: '/r', brand: '1' };
    expect(() => tally.observe(labels, Number.NaN)).toThrow(/valid number/);
    tally.observe(labels, 0.001);
    expect(() => tally.observe(labels, Number.POSITIVE_INFINITY)).toThrow(/valid number/);
  });
});

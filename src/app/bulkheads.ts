// Every bulkhead of a running Keel by name (`exchange.orders`, `api`, `alertChannel.console`, `engine`,
// …): their running and queued calls on the dashboard's status and as Prometheus gauges, with a series
// for each from the first scrape.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { BulkheadStats } from '../core/bulkhead.js';

export interface BulkheadView extends BulkheadStats {
  readonly name: string;
}

export class Bulkheads {
  readonly #sources = new Map<string, () => BulkheadStats>();

  /** Adds a bulkhead under a unique name; stats are read when viewed or scraped. */
  add(name: string, stats: () => BulkheadStats): void {
    if (this.#sources.has(name)) throw new Error(`bulkhead ${name} is already registered`);
    this.#sources.set(name, stats);
  }

  views(): BulkheadView[] {
    return [...this.#sources].map(([name, stats]) => ({ name, ...stats() }));
  }

  /** keel_bulkhead_running, _queued, _concurrent_limit, _queue_max and _rejected_total per bulkhead. */
  registerMetrics(registry: Registry): void {
    const views = () => this.views();
    const gauge = (name: string, help: string, read: (view: BulkheadView) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['bulkhead'],
        registers: [registry],
        collect() {
          for (const view of views()) this.set({ bulkhead: view.name }, read(view));
        },
      });
    gauge('keel_bulkhead_running', 'Calls running in the bulkhead', (view) => view.running);
    gauge('keel_bulkhead_queued', 'Calls waiting in the bulkhead queue', (view) => view.queued);
    gauge(
      'keel_bulkhead_concurrent_limit',
      'Calls allowed to run at once now',
      (view) => view.concurrentLimit,
    );
    gauge('keel_bulkhead_queue_max', 'Calls allowed to wait', (view) => view.queueMax);
    const counted = new Map<string, number>();
    new Counter({
      name: 'keel_bulkhead_rejected_total',
      help: 'Calls the bulkhead turned away (queue full, waited too long, or dropped for a newer one)',
      labelNames: ['bulkhead'],
      registers: [registry],
      collect() {
        for (const view of views()) {
          this.inc({ bulkhead: view.name }, view.rejected - (counted.get(view.name) ?? 0));
          counted.set(view.name, view.rejected);
        }
      },
    });
  }
}

/** The bench's figures as a markdown table the README takes as it is, with the machine it ran on. */
import { cpus, loadavg, totalmem } from 'node:os';
import type { Measurement } from './measure';
import { TARGETS } from './targets';

export function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'} × ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}

const ratio = (x: number, base: number | undefined) => (base ? `${(x / base).toFixed(2)}` : '—');

export function table(results: Measurement[]): string {
  const rows = [
    '| target | workload | req/s | ×(a) | p50 ms | p99 ms | gateway CPU ms/req | ×(a) | peak RSS MB | ×(a) | answers checked | failed |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of results) {
    const a = results.find((x) => x.target === 'a' && x.workload === r.workload && !x.failed);
    if (r.failed) {
      // The figures of a run whose answers were wrong measure something else (errors are cheap): none are shown.
      rows.push(`| ${label(r.target)} | ${r.workload} | — | — | — | — | — | — | — | — | ${r.checked}/${r.responses} | **yes**: ${r.mismatches} mismatched, ${r.non200} non-200, ${r.errors} errors |`);
      continue;
    }
    const failed = 'no';
    rows.push(
      `| ${label(r.target)} | ${r.workload} | ${r.requestsPerSecond.toFixed(0)} | ${ratio(r.requestsPerSecond, a?.requestsPerSecond)} | ${r.p50} | ${r.p99} | ${r.cpuMsPerRequest.toFixed(2)} | ${ratio(r.cpuMsPerRequest, a?.cpuMsPerRequest)} | ${r.peakRssMb.toFixed(0)} | ${ratio(r.peakRssMb, a?.peakRssMb)} | ${r.checked}/${r.responses} | ${failed} |`,
    );
  }
  const failures = results.filter((r) => r.failed && r.examples.length).map((r) => `- ${label(r.target)}, ${r.workload}: ${r.examples[0].slice(0, 240)}`);
  return [rows.join('\n'), ...(failures.length ? ['', 'Why the failed runs failed (first mismatch of each):', ...failures] : [])].join('\n');
}

function label(id: string): string {
  return TARGETS.find((t) => t.id === id)?.label ?? id;
}

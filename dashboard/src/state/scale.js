// Scale history: which workers joined or left between two overview samples.

export function workerNames(sample) {
  const workers = Array.isArray(sample?.workers) ? sample.workers : [];
  const names = [];
  const seen = new Set();
  for (const w of workers) {
    const name = typeof w?.name === 'string' ? w.name : null;
    if (name && !seen.has(name)) {
      seen.add(name);
      names.push(name);
    }
  }
  return names;
}

/** Workers in `cur` not in `prev` (joined) and in `prev` not in `cur` (left), sorted naturally. */
export function diffWorkers(prevNames, curNames) {
  const prev = new Set(prevNames);
  const cur = new Set(curNames);
  const joined = [...cur].filter((n) => !prev.has(n)).sort(naturalCompare);
  const left = [...prev].filter((n) => !cur.has(n)).sort(naturalCompare);
  return { joined, left };
}

/** "worker-2" before "worker-10". */
export function naturalCompare(a, b) {
  return String(a).localeCompare(String(b), 'en', { numeric: true });
}

/**
 * Scale entries for the step from `prev` to `cur` (both overview samples): one per worker that
 * left, then one per worker that joined, stamped with cur.at_ms. No previous sample: none (the
 * first sample is the baseline, not a change).
 */
export function scaleEvents(prev, cur) {
  // A sample without a worker list (an error) says nothing of who joined or left.
  if (!Array.isArray(prev?.workers) || !Array.isArray(cur?.workers)) return [];
  const { joined, left } = diffWorkers(workerNames(prev), workerNames(cur));
  const at = typeof cur.at_ms === 'number' ? cur.at_ms : Date.now();
  return [
    ...left.map((worker) => ({ at_ms: at, worker, change: 'left' })),
    ...joined.map((worker) => ({ at_ms: at, worker, change: 'joined' })),
  ];
}

/** Newest first, at most `limit` entries. */
export function appendScaleLog(log, entries, limit = 50) {
  if (!entries.length) return log;
  return [...entries.slice().reverse(), ...log].slice(0, limit);
}

function pad(n) {
  return String(n).padStart(2, '0');
}

/** HH:MM:SS in the browser's time zone (UTC when utc is true, for tests). */
export function clock(ms, utc = false) {
  const d = new Date(ms);
  const h = utc ? d.getUTCHours() : d.getHours();
  const m = utc ? d.getUTCMinutes() : d.getMinutes();
  const s = utc ? d.getUTCSeconds() : d.getSeconds();
  return `${pad(h)}:${pad(m)}:${pad(s)}`;
}

export function describeScale(entry, utc = false) {
  return `${clock(entry.at_ms, utc)} ${entry.worker} ${entry.change}`;
}

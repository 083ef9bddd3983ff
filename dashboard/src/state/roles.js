// Which views a key's roles show. admin includes every role; operator sees the operations views;
// everyone (user, ingest, and roles this page does not know) sees the Playground.

export const VIEWS = [
  { id: 'queue', label: 'Queue', role: 'operator' },
  { id: 'workers', label: 'Workers', role: 'operator' },
  { id: 'dead-letters', label: 'Dead letters', role: 'operator' },
  { id: 'requests', label: 'Requests', role: 'operator' },
  { id: 'charts', label: 'Charts', role: 'operator' },
  { id: 'admission', label: 'Admission & limits', role: 'operator' },
  { id: 'keys', label: 'Keys & usage', role: 'admin' },
  { id: 'playground', label: 'Playground', role: null },
];

function normalize(roles) {
  if (!Array.isArray(roles)) return new Set();
  return new Set(roles.filter((r) => typeof r === 'string').map((r) => r.trim().toLowerCase()));
}

export function hasRole(roles, role) {
  if (role == null) return true;
  const set = normalize(roles);
  if (set.has('admin')) return true;
  return set.has(role);
}

export function viewsFor(roles) {
  return VIEWS.filter((v) => hasRole(roles, v.role));
}

export function canSee(roles, viewId) {
  return viewsFor(roles).some((v) => v.id === viewId);
}

/** The view to open: the requested one if allowed, else Queue for operators, else Playground. */
export function pickView(roles, requested) {
  if (requested && canSee(roles, requested)) return requested;
  return hasRole(roles, 'operator') ? 'queue' : 'playground';
}

/** The view id in a location hash such as "#/workers" (null when none). */
export function viewFromHash(hash) {
  if (typeof hash !== 'string') return null;
  const m = /^#\/?([a-z-]+)$/.exec(hash.trim());
  if (!m) return null;
  return VIEWS.some((v) => v.id === m[1]) ? m[1] : null;
}

/** Kubernetes' metav1.Time wire format: RFC 3339 in whole seconds ("2026-11-23T13:04:05Z"). */
export function metaTime(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Kubernetes' metav1.MicroTime wire format: six fractional digits (Leases, Events). */
export function microTime(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

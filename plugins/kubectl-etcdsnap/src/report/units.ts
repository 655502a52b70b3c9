/** 1536 → "1.5 KiB", as sizes are read by people (binary units, like etcdutl's table). */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** "[#########-----------]  45% 12 MiB/27 MiB" for a progress label. */
export function progressBar(done: number, total: number | undefined, width = 24): string {
  if (total === undefined || total <= 0) return formatBytes(done);
  const ratio = Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${formatBytes(done)}/${formatBytes(total)}`;
}

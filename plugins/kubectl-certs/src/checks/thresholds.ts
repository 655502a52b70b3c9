export interface Thresholds {
  now: Date;
  /** Warn when a certificate expires within this many milliseconds. */
  warnWithinMs: number;
  /** Critical when it expires within this many. */
  criticalWithinMs: number;
}

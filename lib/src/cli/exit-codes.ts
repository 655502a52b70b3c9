/** Exit codes shared by every kubemend plugin (documented in the README). */
export const ExitCode = {
  /** Everything is fine. */
  OK: 0,
  /** Findings at or above --fail-on. */
  FINDINGS: 1,
  /** Bad usage or bad input. */
  USAGE: 2,
  /** The command could not complete: unreachable, forbidden, timed out. */
  INCOMPLETE: 3,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

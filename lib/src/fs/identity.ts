import { statSync } from "node:fs";

/** The same file however it is reached (two mount namespaces, a symlink): device and inode. */
export function fileIdentity(hostPath: string): string | undefined {
  try {
    const st = statSync(hostPath);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

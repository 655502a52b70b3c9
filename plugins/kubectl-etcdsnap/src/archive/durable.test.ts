import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { BadInputError, IncompleteError } from "@kubemend/lib/cli/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fsError, PartFile, publish, syncDir } from "./durable.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "kubemend-durable-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the durable writer", () => {
  it("writes a new 0600 part file at positions, and publishes it under a name that was free", async () => {
    const part = await PartFile.create(path.join(dir, "a.db.part"));
    await part.write(Buffer.from("world"), 5, 6);
    await part.write(Buffer.from("hello xx"), 6, 0);
    await part.sync();
    await part.close();
    expect((await stat(part.path)).mode & 0o777).toBe(0o600);
    await publish(part.path, path.join(dir, "a.db"));
    await syncDir(dir);
    expect(await readFile(path.join(dir, "a.db"), "utf8")).toBe("hello world");
    await expect(stat(part.path)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("never creates over a part file, nor publishes over a file", async () => {
    await writeFile(path.join(dir, "b.db.part"), "someone's");
    await expect(PartFile.create(path.join(dir, "b.db.part"))).rejects.toThrow(IncompleteError);
    await writeFile(path.join(dir, "b.db"), "an older snapshot");
    await expect(publish(path.join(dir, "b.db.part"), path.join(dir, "b.db"))).rejects.toThrow(BadInputError);
    expect(await readFile(path.join(dir, "b.db"), "utf8")).toBe("an older snapshot");
    expect(await readFile(path.join(dir, "b.db.part"), "utf8")).toBe("someone's");
  });

  it("says what to do when the disk is full", () => {
    const full = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    expect(() => fsError("/backup/x.db.part", "writing")(full)).toThrow(
      new IncompleteError(
        "writing /backup/x.db.part failed: no space left on the device",
        "free space there (the snapshot needs about the etcd database size), or save elsewhere with --dir",
      ),
    );
  });

  it("closes an abandoned part file without hiding the failure that stopped it", async () => {
    const part = await PartFile.create(path.join(dir, "c.db.part"));
    await part.abandon();
    await part.abandon();
    await expect(part.write(Buffer.from("x"), 1, 0)).rejects.toThrow(IncompleteError);
  });
});

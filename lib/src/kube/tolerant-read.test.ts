import { describe, expect, it } from "vitest";
import { KubeApiError } from "./errors.js";
import { tolerantRead } from "./tolerant-read.js";

const fail = (status: number | undefined) => () =>
  Promise.reject(
    new KubeApiError(`status ${status}`, undefined, status, undefined, status ? undefined : "ECONNREFUSED"),
  );

describe("tolerantRead", () => {
  it("gives the result of a read that works", async () => {
    expect(await tolerantRead(() => Promise.resolve(7))).toBe(7);
  });

  it("is undefined for a 403, and reports it", async () => {
    const refused: string[] = [];
    expect(await tolerantRead(fail(403), { onForbidden: (e) => refused.push(e.message) })).toBeUndefined();
    expect(refused).toEqual(["status 403"]);
  });

  it("is undefined for a 404 unless missing things matter", async () => {
    expect(await tolerantRead(fail(404))).toBeUndefined();
    await expect(tolerantRead(fail(404), { missingOk: false })).rejects.toThrow("status 404");
  });

  it("throws everything else: the caller cannot tell 'not here' from a broken cluster", async () => {
    await expect(tolerantRead(fail(500))).rejects.toThrow("status 500");
    await expect(tolerantRead(fail(undefined))).rejects.toThrow("status undefined");
  });
});

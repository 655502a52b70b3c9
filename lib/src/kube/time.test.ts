import { expect, it } from "vitest";
import { metaTime, microTime } from "./time.js";

it("writes Time in whole seconds and MicroTime with six digits, as the API server does", () => {
  const at = new Date("2026-11-23T13:04:05.678Z");
  expect(metaTime(at)).toBe("2026-11-23T13:04:05Z");
  expect(microTime(at)).toBe("2026-11-23T13:04:05.678000Z");
});

import { describe, expect, it } from "vitest";
import { type MemberStatus, pickMember } from "./members.js";
import { decodeStatusResponse, type StatusResponse } from "./proto.js";

const member = (endpoint: string, s: Partial<StatusResponse>): MemberStatus => ({
  endpoint,
  status: { ...decodeStatusResponse(Buffer.alloc(0)), ...s },
});

describe("pickMember", () => {
  const a = member("https://a:2379", { raftAppliedIndex: 10 });
  const b = member("https://b:2379", { raftAppliedIndex: 30 });
  const learner = member("https://l:2379", { raftAppliedIndex: 99, isLearner: true });
  const alarmed = member("https://x:2379", { raftAppliedIndex: 50, errors: ["memberID:7 alarm:NOSPACE "] });
  const down: MemberStatus = {
    endpoint: "https://d:2379",
    error: "cannot reach etcd at https://d:2379: connect ECONNREFUSED",
  };

  it("takes the healthy voting member with the highest applied index", () => {
    expect(pickMember([a, learner, b, alarmed, down]).endpoint).toBe("https://b:2379");
  });

  it("--endpoint forces a member, even a lagging one, but not one that did not answer", () => {
    expect(pickMember([a, b], "https://a:2379").endpoint).toBe("https://a:2379");
    expect(() => pickMember([a, down], "https://d:2379")).toThrow("cannot reach etcd at https://d:2379");
  });

  it("says why every member was refused, in one line", () => {
    expect(() => pickMember([learner, alarmed, down])).toThrow(
      "no healthy etcd member to snapshot: https://l:2379 is a learner (not yet a voting member); https://x:2379 reports memberID:7 alarm:NOSPACE; cannot reach etcd at https://d:2379: connect ECONNREFUSED",
    );
  });
});

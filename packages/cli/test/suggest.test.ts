import { describe, expect, it } from "vitest";
import { editDistance, suggestName } from "../src/suggest.js";

describe("editDistance", () => {
  it.each([
    ["", "", 0],
    ["abc", "", 3],
    ["", "abc", 3],
    ["bind_port", "bind_port", 0],
    ["bindport", "bind_port", 1],
    ["bind_prot", "bind_port", 1], // a swap of neighbours is one edit
    ["bnid_port", "bind_port", 1],
    ["kitten", "sitting", 3],
    ["ca", "abc", 3], // optimal string alignment: no edit of a swapped pair
  ])("%j → %j is %i", (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe("suggestName", () => {
  const flags = ["bind_host", "bind_port", "target_host", "target_port", "server_target_port"];
  it.each([
    ["bindport", "bind_port"],
    ["bind-port", "bind_port"],
    ["BIND_PORT", "bind_port"],
    ["bind_prot", "bind_port"],
    ["targte_host", "target_host"],
    ["target_prt", "target_port"],
    ["bogus", undefined],
    ["port", undefined], // a suffix of three names is a guess, not a hint
    ["x", undefined],
  ])("%j → %j", (given, meant) => {
    expect(suggestName(given, flags)).toBe(meant);
  });

  it("finds a name by its missing prefix when only one name ends so", () => {
    expect(suggestName("target_host", ["server_host", "server_target_host"])).toBe(
      "server_target_host",
    );
  });
});

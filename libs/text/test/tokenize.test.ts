import { STOP_WORDS, isStopWord, searchTerms, stem, tokenize, words } from "@toolmesh/text";
import { describe, expect, it } from "vitest";

describe("words", () => {
  it("keeps every word lowercased, stop words and underscores included", () => {
    expect(words("The parse_args of HTTPServer, v2!")).toEqual(["the", "parse_args", "of", "httpserver", "v2"]);
    expect(words("  ")).toEqual([]);
  });
});

describe("tokenize", () => {
  it("drops stop words and single characters, keeps digits and non-Latin letters", () => {
    expect(tokenize("What is the NATS queue group in v2 of x?")).toEqual(["nats", "queue", "group", "v2"]);
    expect(tokenize("the and of")).toEqual([]);
    expect(tokenize("Größe über 42 Einträge")).toEqual(["größe", "über", "42", "einträge"]);
  });

  it("adds the parts of camelCase, acronym and snake_case identifiers after the whole word", () => {
    expect(tokenize("parseToolArgs")).toEqual(["parsetoolargs", "parse", "tool", "args"]);
    expect(tokenize("HTTPServer")).toEqual(["httpserver", "http", "server"]);
    expect(tokenize("max_ack_pending")).toEqual(["max_ack_pending", "max", "ack", "pending"]);
    // A stop word is dropped as a word but not as a part of an identifier's name.
    expect(tokenize("get_all")).toEqual(["get_all", "get", "all"]);
  });
});

describe("stop words", () => {
  it("are function words, not words a request asks with", () => {
    for (const w of ["the", "which", "but", "could", "into", "no", "not", "does"]) expect(isStopWord(w)).toBe(true);
    for (const w of ["explain", "show", "work", "handle", "use", "nats"]) expect(STOP_WORDS.has(w)).toBe(false);
  });
});

describe("stem", () => {
  it("drops a plural ending, the same way on both sides of a lookup", () => {
    expect(["statuses", "queries", "workers", "classes", "class", "status", "bus", "its"].map(stem)).toEqual([
      "status",
      "query",
      "worker",
      "class",
      "class",
      "status",
      "bus",
      "its",
    ]);
    expect(searchTerms("Retries and statuses")).toEqual(["retry", "status"]);
  });
});

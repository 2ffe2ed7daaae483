import { test } from "node:test";
import assert from "node:assert/strict";
import { decodePageToken, encodePageToken } from "../../src/application/page-token.ts";

test("page tokens round-trip any sort key, including Unicode and separators", () => {
  for (const key of [
    { lastName: "Lovelace", firstName: "Ada", id: "8f0e6f43-4a4e-4b6e-9a4e-3f1f2b0f9a11" },
    { lastName: 'Quote"|,\\', firstName: "😀", id: "00000000-0000-4000-8000-000000000000" },
  ]) {
    const token = encodePageToken(key);
    assert.match(token, /^[A-Za-z0-9_-]+$/, "URL-safe");
    assert.deepEqual(decodePageToken(token), key);
  }
  assert.equal(decodePageToken(""), undefined);
});

test("tokens the service did not make are INVALID_ARGUMENT on page_token", () => {
  for (const bad of ["%%%", "e30", Buffer.from("[2,\"a\",\"b\",\"c\"]").toString("base64url"), Buffer.from("[1,1,2,3]").toString("base64url"), Buffer.from('[1,"a","b","not-a-uuid"]').toString("base64url")]) {
    assert.throws(() => decodePageToken(bad), { code: "PERSON.INVALID_ARGUMENT", message: /^page_token: / });
  }
});

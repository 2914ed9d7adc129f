import { describe, expect, it } from "vitest";
import { GitCommandError } from "../../src/testing/git.js";
import { importFailure } from "../../src/testing/repos.js";

/** What `git clone` prints, mapped to the upstream codes; URLs carry random ports that must not fool the mapping. */
describe("import failures from git's own words", () => {
  const fail = (stderr: string) => importFailure(new GitCommandError(["clone"], stderr));

  it.each([
    ["fatal: could not read Username for 'http://127.0.0.1:40311': terminal prompts disabled", 10106],
    ["fatal: Authentication failed for 'http://127.0.0.1:5555/git/a.git/'", 10106],
    ["fatal: unable to access 'http://127.0.0.1:5555/x.git/': The requested URL returned error: 403", 10106],
    ["fatal: repository 'http://127.0.0.1:40123/git/default/nope.git/' not found", 10104],
    ["fatal: repository 'http://127.0.0.1:54031/x.git/' not found", 10104],
    ["fatal: unable to access 'http://127.0.0.1:1/x.git/': Failed to connect to 127.0.0.1 port 1", 10401],
    ["fatal: unable to access 'https://example.com/x.git/': Could not resolve host: example.com", 10401],
  ])("%s → %i", (stderr, code) => {
    expect(fail(stderr).code).toBe(code);
  });
});

/**
 * Pattern-matching the typed errors: every call resolves to a Result, and its error is a discriminated union
 * (`HttpError | TransportError | InvalidInputError`) to match exhaustively.
 *
 *   npx tsx examples/errors.ts
 */
import {
  type ArtifactsError,
  createClient,
  createRepo,
  createToken,
  deleteRepo,
  ErrorCode,
  getRepo,
} from "cloudflare-artifacts";
import { exampleTarget, orFail, step } from "./setup.js";

/** One line for any error: what a caller would show or log. */
function explain(error: ArtifactsError): string {
  switch (error._tag) {
    case "HttpError":
      switch (error.body.errors[0]?.code) {
        case ErrorCode.INVALID_TTL:
          return `INVALID_TTL (HTTP ${error.status}): pick a ttl from 60 to 31,536,000 seconds`;
        case ErrorCode.NOT_FOUND:
          return `NOT_FOUND (HTTP ${error.status}): ${error.body.errors[0]?.message}`;
        default:
          return `HTTP ${error.status}: ${error.message}`;
      }
    case "TransportError":
      return `no response (${error.reason}): ${error.message}`;
    case "InvalidInputError":
      return `not sent, invalid ${error.field}: ${error.message}`;
  }
}

const target = await exampleTarget();
const { client } = target;
const name = target.unique("errors");
let failed = false;
const expect = (what: string, error: ArtifactsError | undefined, check: (error: ArtifactsError) => boolean) => {
  const line = error ? explain(error) : "no error";
  console.log(`  ${what}: ${line}`);
  if (!error || !check(error)) {
    failed = true;
    console.log("    ^ unexpected");
  }
};

console.log(`Typed errors against ${target.description}`);
try {
  await step(`create repo ${name}`, () => orFail(createRepo(client, { name })));

  // The Elixir docs' example: an out-of-range ttl comes back as code 10103, matched on the code.
  const ttl = await createToken(client, { repo: name, ttl: 99_999_999 });
  expect("ttl 99,999,999", ttl.isErr() ? ttl.error : undefined, (e) => e._tag === "HttpError" && e.code === 10103);

  const missing = await getRepo(client, target.unique("missing"));
  expect(
    "a missing repo",
    missing.isErr() ? missing.error : undefined,
    (e) => e._tag === "HttpError" && e.status === 404,
  );

  // Nothing listens on port 2 of 127.0.0.1: the call ends as a TransportError, never a throw.
  const offline = createClient({
    accountId: "example",
    apiToken: "placeholder-api-token",
    baseUrl: "http://127.0.0.1:2/client/v4",
    retry: 0,
  });
  const down = await getRepo(offline, name);
  expect("a transport failure", down.isErr() ? down.error : undefined, (e) => e._tag === "TransportError");

  const traversal = await getRepo(client, "..");
  expect('the name ".."', traversal.isErr() ? traversal.error : undefined, (e) => e._tag === "InvalidInputError");

  // The same, chained: andThen runs only on Ok, match handles both sides once.
  const summary = await getRepo(client, name)
    .andThen((repo) => createToken(client, { repo: repo.name, scope: "read", ttl: 30 }))
    .match(
      (token) => `minted ${token.id}`,
      (error) => `chain stopped: ${explain(error)}`,
    );
  console.log(`  chained: ${summary}`);
  if (!summary.includes("INVALID_TTL")) failed = true;
} finally {
  await step(`delete ${name}`, () => orFail(deleteRepo(client, name))).catch(() => {
    failed = true;
  });
  await target.close();
}

console.log(failed ? "Errors example FAILED" : "Errors example complete");
process.exitCode = failed ? 1 : 0;

// One commitFiles call in a process of its own, for the concurrency test: another process's push is a real
// concurrent push, not one an in-process lock could serialize. Prints the Result as JSON.

import { commitFiles } from "../../src/git/index.js";
import { createClient } from "../../src/index.js";

const { clientOptions, repo, path, content } = JSON.parse(process.argv[2] ?? "{}");
const result = await commitFiles(createClient({ ...clientOptions, retry: 0 }), repo, {
  message: `write ${path}`,
  author: { name: "Child", email: "child@example.com" },
  files: { [path]: content },
});
process.stdout.write(JSON.stringify(result.isOk() ? { ok: result.value } : { err: result.error.message }));

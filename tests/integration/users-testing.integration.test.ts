import { execFile } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const withoutColor = ({ FORCE_COLOR: _, ...env }: NodeJS.ProcessEnv) => env;

// The users' testing recipes (examples/testing/) run as a user's project would run them: their own vitest config,
// with a globalSetup that starts one local server. Async: nothing here blocks the event loop.
it("runs the users' testing examples: nock fixtures and a suite-wide local server", async () => {
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve) =>
    execFile(
      join(root, "node_modules/.bin/vitest"),
      ["run", "--config", "examples/testing/vitest.config.ts", "--reporter=default"],
      { cwd: root, env: { ...withoutColor(process.env), CI: "true", NO_COLOR: "1" } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    ),
  );
  expect(output).toMatch(/Test Files\s+2 passed/);
  expect(output).toMatch(/Tests\s+4 passed/);
  expect(code).toBe(0);
});

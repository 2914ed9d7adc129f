#!/usr/bin/env node
import { branches, tags } from "./branches.js";
import { GLOBAL_HELP, GLOBAL_OPTIONS } from "./context.js";
import { credential } from "./credential.js";
import { files } from "./files.js";
import { mcp } from "./mcp.js";
import { CliFailure } from "./output.js";
import { type Command, namespaces, repos, tokens } from "./resources.js";

/**
 * `cloudflare-artifacts`: repos, tokens, namespaces and files from the shell, a Git credential helper, and the local
 * server. Exit codes: 0 done, 1 the API said no, 2 bad usage or input, 3 no response.
 */

const groups: Record<string, Record<string, Command>> = { repos, tokens, namespaces, files, branches, tags };
const single: Record<string, Command> = {
  credential,
  mcp,
  serve: {
    usage: "serve [--port N] [--data-dir DIR] ...   (the local Artifacts server; see serve --help)",
    async run(args) {
      process.argv = [process.argv[0] ?? "node", "cloudflare-artifacts serve", ...args];
      await import("../testing/cli.js");
    },
  },
};

const HELP = `Usage: cloudflare-artifacts <command> [options]

${[...Object.values(groups).flatMap((group) => Object.values(group)), ...Object.values(single)]
  .map((command) => `  ${command.usage}`)
  .join("\n")}

${GLOBAL_HELP}
Exit codes: 0 done, 1 the API (or Git remote) refused, 2 bad usage or input, 3 no response.
`;

async function main(argv: string[]): Promise<number> {
  const [name, sub, ...rest] = globalsLast(argv);
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(HELP);
    return name === undefined ? 2 : 0;
  }
  const command = single[name];
  if (command) {
    // `serve --help` is the server's own, naming every one of its flags.
    if ((sub === "--help" || sub === "-h") && name !== "serve") return help(command);
    await command.run(argv.slice(1));
    return 0;
  }
  const group = groups[name];
  if (!group) throw new CliFailure(`usage: unknown command ${name} (try --help)`, 2);
  const chosen = sub === undefined ? undefined : group[sub];
  if (!chosen) {
    if (sub === "--help" || sub === "-h") {
      process.stdout.write(
        `${Object.values(group)
          .map((entry) => `  ${entry.usage}`)
          .join("\n")}\n\n${GLOBAL_HELP}\n`,
      );
      return 0;
    }
    throw new CliFailure(`usage: ${name} ${Object.keys(group).join("|")} (try ${name} --help)`, 2);
  }
  if (rest.includes("--help") || rest.includes("-h")) return help(chosen);
  await chosen.run(rest);
  return 0;
}

/**
 * Global options before the command or between its two words (`--namespace x repos list`, `repos --json list`)
 * moved behind them, where every command parses them: so they work anywhere on the line.
 */
function globalsLast(argv: string[]): string[] {
  const words: string[] = [];
  const globals: string[] = [];
  let index = 0;
  for (; index < argv.length && words.length < (single[words[0] ?? ""] ? 1 : 2); index++) {
    const arg = argv[index]!;
    const option = GLOBAL_OPTIONS[arg.startsWith("--") ? arg.slice(2).split("=")[0]! : arg === "-h" ? "help" : ""];
    if (!option) words.push(arg);
    else {
      globals.push(arg);
      if (option.type === "string" && !arg.includes("=") && index + 1 < argv.length) globals.push(argv[++index]!);
    }
  }
  return [...words, ...argv.slice(index), ...globals];
}

function help(command: Command): number {
  process.stdout.write(`Usage: cloudflare-artifacts ${command.usage}\n\n${GLOBAL_HELP}\n`);
  return 0;
}

// A reader that stops reading (`… | head -c 10`) ends the command quietly, as git does: what it wanted, it has.
// Any other write failure (a full disk, `> /dev/full`) is said in one line, not a stack, and fails the command.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  process.stderr.write(`cloudflare-artifacts: cannot write the output (${error.code ?? error.message})\n`);
  process.exit(1);
});

const json = process.argv.includes("--json");
main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (error: unknown) => {
    const failure = error instanceof CliFailure ? error : new CliFailure(`error: ${String(error)}`, 1);
    if (json) process.stderr.write(`${JSON.stringify(failure.json)}\n`);
    else process.stderr.write(`${failure.message}\n`);
    process.exitCode = failure.exitCode;
  },
);

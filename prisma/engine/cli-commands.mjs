// One-off commands: `schema-engine --datasource '{"url":...}' cli <command>`.
//
// The CLI runs these (e.g. migrate dev / reset first check the database exists and create it on
// P1003) and reads the result from the exit code and stderr. It discards the FIRST stderr line and
// parses every other line as JSON, looking for {level: "ERROR", target: "schema_engine::logger",
// fields: {error_code, message}}. So: one start-up line, then JSON lines, no trailing blank line.

import { canConnect, createDatabase, dropDatabase, toKnownError } from "./pg-admin.mjs";

const COMMANDS = {
  "can-connect-to-database": async (url) => {
    await canConnect(url);
    return "Connection successful";
  },
  "create-database": async (url) => `Database '${await createDatabase(url)}' was successfully created.`,
  "drop-database": async (url) => {
    await dropDatabase(url);
    return "The database was successfully dropped.";
  },
};

export async function runCliCommand(command, datasource, version) {
  const lines = [
    { level: "INFO", fields: { message: "Starting schema engine CLI", git_hash: version }, target: "schema_engine" },
  ];
  const url = datasource?.url;
  let code = 0;
  try {
    const run = COMMANDS[command];
    if (!run) throw new Error(`Unknown cli command \`${command}\`. Known: ${Object.keys(COMMANDS).join(", ")}`);
    const message = await run(url);
    lines.push({ level: "INFO", fields: { message }, target: "schema_engine::logger" });
  } catch (err) {
    const known = toKnownError(err, url);
    const fields = { is_panic: false, message: known.message };
    if (known.errorCode) fields.error_code = known.errorCode;
    lines.push({ level: "ERROR", fields, target: "schema_engine::logger" });
    code = 1;
  }
  const timestamp = new Date().toISOString();
  process.stderr.write(lines.map((l) => JSON.stringify({ timestamp, ...l })).join("\n"));
  return code;
}

// Logging in the native schema engine's format.
//
// The native engine writes one JSON object per line to stderr:
//   {"timestamp": "...", "level": "INFO", "fields": {"message": "..."}, "target": "..."}
// The CLI parses these lines (errors at level ERROR become the message it shows when the engine
// exits), so nothing but such lines may go to stderr, and nothing at all but JSON-RPC to stdout.

import { format } from "node:util";

const LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"];

// The CLI passes RUST_LOG=info; honour a plain level name there and default to INFO.
const threshold = (() => {
  const wanted = String(process.env.RUST_LOG ?? "info").split(",")[0].split("=").pop().toUpperCase();
  const i = LEVELS.indexOf(wanted);
  return i === -1 ? LEVELS.indexOf("INFO") : i;
})();

/** Write one log line to stderr. `fields` must contain `message`. */
export function log(level, fields, target = "schema_engine") {
  if (LEVELS.indexOf(level) < threshold && level !== "ERROR") return;
  writeLine({ timestamp: new Date().toISOString(), level, fields, target });
}

/** Write an already-built log record (adds a timestamp when it has none). */
export function writeLine(record) {
  const line = JSON.stringify({ timestamp: new Date().toISOString(), ...record });
  process.stderr.write(line + "\n");
}

/**
 * Forward a log line produced by the WASM engine (a JSON string without timestamp, sometimes with a
 * trailing newline) to stderr.
 */
export function forwardEngineLog(raw) {
  const text = String(raw).trim();
  if (!text) return;
  let record;
  try {
    record = JSON.parse(text);
  } catch {
    record = { level: "INFO", fields: { message: text }, target: "schema_engine_wasm" };
  }
  const level = String(record.level ?? "INFO").toUpperCase();
  if (LEVELS.indexOf(level) < threshold && level !== "ERROR") return;
  writeLine(record);
}

/**
 * stdout carries the JSON-RPC conversation only: anything a library prints with console.* is
 * redirected to stderr as a log line so it cannot corrupt the protocol.
 */
export function guardStdout() {
  for (const [name, level] of [["log", "INFO"], ["info", "INFO"], ["debug", "DEBUG"], ["warn", "WARN"]]) {
    console[name] = (...args) => log(level, { message: format(...args) }, "schema_engine::console");
  }
}

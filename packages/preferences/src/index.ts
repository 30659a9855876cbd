export * from "./decide.js";
export * from "./quiet-hours.js";
export * from "./unsubscribe-token.js";
export { isTimeZone } from "./zoned-time.js";

export * from "./queues.js";
export * from "./redis.js";
export * from "./accept.js";
export * from "./cron.js";
export * from "./enqueue.js";
export * from "./recurring.js";
